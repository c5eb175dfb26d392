export * from './contract';
export * from './queue.module';
export * from './redis-keys';
export * from './segment-upload';
export * from './segment-transcoded';
export * from './session-events';
export * from './stream-control-events';
