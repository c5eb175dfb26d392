import { commonConfig, databaseConfig, livepeerConfig, redisConfig, s3Config, segmentsConfig, workerConfig } from '@lib/config';

/** The settings namespaces this app reads; all are validated before it starts. */
export const WORKER_SETTINGS = [commonConfig, redisConfig, s3Config, databaseConfig, livepeerConfig, segmentsConfig, workerConfig];
