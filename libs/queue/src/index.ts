export * from './queue.module';
export * from './redis-keys';
export * from './segment-upload';
export * from './segment-transcoded';
