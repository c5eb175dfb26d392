import { commonConfig, databaseConfig, livepeerConfig, redisConfig, s3Config, segmentsConfig, stitcherConfig } from '@lib/config';

/** The settings namespaces this app reads; all are validated before it starts. */
export const STITCHER_SETTINGS = [commonConfig, redisConfig, s3Config, databaseConfig, livepeerConfig, segmentsConfig, stitcherConfig];
