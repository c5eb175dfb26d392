export * from './errors';
export * from './types';
export * from './format';
export * from './parse';
export * from './segment-uri';
export * from './write';
export * from './window';
