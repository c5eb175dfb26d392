export * from './aac';
export * from './avc';
export * from './crc32';
export * from './pes';
export * from './ts-muxer';
export * from './ts-packets';
export { transportStreamProblem } from './ts-program';
export * from './ts-reader';
export * from './ts-scan';
