import { z } from 'zod/v4';
import { defineConfig } from '../define-config';
import { slug } from '../schemas';

export const redisConfig = defineConfig(
  'redis',
  {
    REDIS_URL: {
      schema: z
        .string()
        .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
        .default('redis://127.0.0.1:6379'),
      description: 'Redis for the queue, broadcaster assignments, leases and session events.',
    },
    REDIS_PREFIX: {
      schema: slug('lr'),
      description: 'Prefix of every Redis key and queue of this environment (tests use their own).',
    },
  },
  (env) => ({ url: env.REDIS_URL, prefix: env.REDIS_PREFIX }),
);
