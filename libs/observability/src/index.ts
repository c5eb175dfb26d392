export * from './bootstrap';
export * from './health';
export * from './logger';
export * from './metrics';
export * from './observability.module';
export * from './log-format';
export * from './event-loop-delay';
