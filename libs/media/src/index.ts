export * from './process';
export * from './probe';
export * from './transcode';
export * from './synthetic';
export * from './segmenter';
export * from './codec-strings';
export * from './thumbnail';
