export * from './errors';
export * from './types';
export { formatDuration, roundedDuration } from './format';
export * from './parse';
export * from './compose';
export * from './write';
export * from './window';
export * from './validate';
