export * from './failure-limiter';
