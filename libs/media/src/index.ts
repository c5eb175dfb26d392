export * from './process';
export * from './probe';
export * from './transcode';
export * from './synthetic';
export * from './codec-strings';
export * from './thumbnail';
export * from './ts-mux';
