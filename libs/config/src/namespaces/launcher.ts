import { z } from 'zod/v4';
import { defineConfig } from '../define-config';
import { port } from '../schemas';

/** Settings of `npm start` itself (the one-machine launcher), not of any app. */
export const launcherConfig = defineConfig(
  'launcher',
  {
    DATA_DIR: { schema: z.string().min(1).default('data'), description: 'npm start: where the embedded services keep files.' },
    S3_PORT: { schema: port(9000), description: 'npm start: port of the embedded S3 server (when S3_ENDPOINT is unset).' },
    S3_BIND_HOST: {
      schema: z.union([z.ipv4(), z.ipv6(), z.literal('localhost')], { message: 'must be an IP address or localhost' }).default('127.0.0.1'),
      description:
        'npm start: address the embedded S3 server binds to (loopback: only this machine; it answers only requests signed with S3_ACCESS_KEY/S3_SECRET_KEY).',
    },
    REDIS_PORT: {
      schema: port(6379),
      description: 'npm start: port of the redis-server it starts when no Redis answers on 6379 and REDIS_URL is unset.',
    },
    WORKER_COPIES: {
      schema: z.coerce.number().int().min(1).max(16).default(1),
      description: 'npm start: how many worker processes to run.',
    },
  },
  (env) => ({ dataDir: env.DATA_DIR, s3Port: env.S3_PORT, s3BindHost: env.S3_BIND_HOST, redisPort: env.REDIS_PORT, workerCopies: env.WORKER_COPIES }),
);
