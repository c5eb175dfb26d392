export * from './backoff';
export * from './sleep';
export * from './timeout';
export * from './concurrency-limit';
export * from './segment-budget';
