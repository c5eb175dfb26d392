import { z } from 'zod/v4';
import { defineConfig } from '../define-config';
import { host } from '../schemas';

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
  },
  (env) => ({
    logLevel: env.LOG_LEVEL,
    logPretty: env.LOG_PRETTY,
    bindHost: env.BIND_HOST,
    publicHost: env.PUBLIC_HOST,
  }),
);
