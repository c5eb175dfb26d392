export * from './aac';
export * from './avc';
export * from './crc32';
export * from './pes';
export * from './ts-muxer';
export * from './ts-packets';
export * from './ts-reader';
export * from './ts-scan';
