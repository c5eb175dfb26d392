import {
  commonConfig,
  databaseConfig,
  livepeerConfig,
  redisConfig,
  s3Config,
  segmentsConfig,
  ingestConfig,
  admissionConfig,
} from '@lib/config';

/** The settings namespaces this app reads; all are validated before it starts. */
export const INGEST_SETTINGS = [
  commonConfig,
  redisConfig,
  s3Config,
  databaseConfig,
  livepeerConfig,
  segmentsConfig,
  ingestConfig,
  admissionConfig,
];
