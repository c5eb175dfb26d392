export * from './free-port';
export * from './managed-process';
export * from './paths';
export * from './redis-server';
export * from './s3-server';
export * from './system';
export * from './restart-policy';
export * from './supervisor';
