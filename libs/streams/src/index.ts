export * from './ladder-check';
export * from './ladder';
export * from './stream-events.publisher';
export * from './stream-key';
export * from './stream-urls';
export * from './streams.module';
export * from './streams.service';
