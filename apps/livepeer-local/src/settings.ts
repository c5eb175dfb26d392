import { commonConfig, livepeerLocalConfig } from '@lib/config';

/** The settings namespaces livepeer-local (API and broadcaster processes) reads; all are validated before it starts. */
export const LIVEPEER_LOCAL_SETTINGS = [commonConfig, livepeerLocalConfig];
