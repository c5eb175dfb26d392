import { z } from 'zod/v4';
import { defineConfig } from '../define-config';
import { host, positiveInt } from '../schemas';

export const commonConfig = defineConfig(
  'common',
  {
    LOG_LEVEL: {
      schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
      description: 'Log level of every app (structured JSON lines on stdout).',
    },
    LOG_PRETTY: {
      schema: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
      description: 'Human-readable one-line logs instead of JSON (for a terminal).',
    },
    BIND_HOST: {
      schema: host('127.0.0.1'),
      description: 'Address every HTTP/RTMP listener binds to (0.0.0.0 in containers).',
    },
    PUBLIC_HOST: {
      schema: host('127.0.0.1'),
      description: 'Host name put into the URLs shown to users (publish, playback, dashboard).',
    },
    AUTH_FAILURE_LIMIT: {
      schema: positiveInt(5, 10_000),
      description:
        'Wrong admin tokens or stream keys one client address may present per AUTH_FAILURE_WINDOW_MS; further attempts are refused (429) until the window passes.',
    },
    AUTH_FAILURE_WINDOW_MS: {
      schema: positiveInt(60_000, 86_400_000).refine((v) => v >= 1000, 'must be >= 1000'),
      description: 'The window AUTH_FAILURE_LIMIT counts failures in (sliding).',
    },
  },
  (env) => ({
    logLevel: env.LOG_LEVEL,
    logPretty: env.LOG_PRETTY,
    bindHost: env.BIND_HOST,
    publicHost: env.PUBLIC_HOST,
    authFailureLimit: env.AUTH_FAILURE_LIMIT,
    authFailureWindowMs: env.AUTH_FAILURE_WINDOW_MS,
  }),
);
