import {
  commonConfig,
  databaseConfig,
  ingestConfig,
  livepeerConfig,
  redisConfig,
  s3Config,
  segmentsConfig,
  stitcherConfig,
  webhooksConfig,
} from '@lib/config';

/** The settings namespaces this app reads; all are validated before it starts. */
// ingest: the publish URLs the admin API shows are built from its public addresses.
export const STITCHER_SETTINGS = [
  commonConfig,
  redisConfig,
  s3Config,
  databaseConfig,
  livepeerConfig,
  segmentsConfig,
  ingestConfig,
  stitcherConfig,
  webhooksConfig,
];
