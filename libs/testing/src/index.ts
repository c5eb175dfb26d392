export * from './apps';
export * from './media';
export * from './test-env';
export * from './wait-for';
export * from './playlist-watcher';
export * from './browser';
export * from './livepeer-local';
export * from './relay-pipeline';
