export * from './common';
export * from './redis';
export * from './s3';
export * from './database';
export * from './livepeer';
export * from './segments';
export * from './ingest';
export * from './admission';
export * from './worker';
export * from './stitcher';
export * from './livepeer-local';
export * from './launcher';
export * from './media';
export * from './webhooks';
import { admissionConfig } from './admission';
import { commonConfig } from './common';
import { databaseConfig } from './database';
import { ingestConfig } from './ingest';
import { launcherConfig } from './launcher';
import { livepeerConfig } from './livepeer';
import { livepeerLocalConfig } from './livepeer-local';
import { mediaConfig } from './media';
import { redisConfig } from './redis';
import { s3Config } from './s3';
import { segmentsConfig } from './segments';
import { stitcherConfig } from './stitcher';
import { webhooksConfig } from './webhooks';
import { workerConfig } from './worker';

/** Every namespace, in README order: the settings table and the compose check read this. */
export const allNamespaces = [
  commonConfig,
  redisConfig,
  s3Config,
  databaseConfig,
  livepeerConfig,
  segmentsConfig,
  ingestConfig,
  admissionConfig,
  workerConfig,
  stitcherConfig,
  webhooksConfig,
  livepeerLocalConfig,
  mediaConfig,
  launcherConfig,
];
