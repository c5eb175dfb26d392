import { z } from 'zod/v4';
import { defineConfig } from '../define-config';
import { ConfigError } from '../define-config';
import { port, positiveInt } from '../schemas';

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
      description:
        'npm start, REDIS_URL unset: the Redis at REDIS_HOST:REDIS_PORT is used when one answers, else it starts a redis-server on this port.',
    },
    REDIS_HOST: {
      schema: z.string().min(1).default('127.0.0.1'),
      description:
        'npm start, REDIS_URL unset: host of the Redis to use; a host other than this machine must answer (none is started there).',
    },
    WORKER_COPIES: {
      schema: z.coerce.number().int().min(1).max(16).default(1),
      description: 'npm start: how many worker processes to run.',
    },
    RESTART_BACKOFF_MS: {
      schema: positiveInt(500, 60_000),
      description: 'npm start: pause before restarting a crashed process; doubles with each crash in a row.',
    },
    RESTART_BACKOFF_MAX_MS: {
      schema: positiveInt(10_000, 300_000),
      description: 'npm start: longest pause between restarts of a crashed process (at least RESTART_BACKOFF_MS).',
    },
    RESTART_RESET_AFTER_MS: {
      schema: positiveInt(30_000),
      description: 'npm start: a process up this long counts as healthy again; its next restart waits RESTART_BACKOFF_MS.',
    },
    CRASH_LOOP_CRASHES: {
      schema: positiveInt(5, 1000),
      description:
        'npm start: this many crashes of one process within CRASH_LOOP_WINDOW_MS is a crash loop: it is given up and npm start exits 1.',
    },
    CRASH_LOOP_WINDOW_MS: {
      schema: positiveInt(60_000),
      description: 'npm start: the window CRASH_LOOP_CRASHES counts crashes in.',
    },
  },
  (env) => {
    if (env.RESTART_BACKOFF_MAX_MS < env.RESTART_BACKOFF_MS) {
      throw new ConfigError([
        `RESTART_BACKOFF_MAX_MS=${env.RESTART_BACKOFF_MAX_MS}: must be at least RESTART_BACKOFF_MS (${env.RESTART_BACKOFF_MS})`,
      ]);
    }
    return {
      dataDir: env.DATA_DIR,
      s3Port: env.S3_PORT,
      s3BindHost: env.S3_BIND_HOST,
      redisPort: env.REDIS_PORT,
      redisHost: env.REDIS_HOST,
      workerCopies: env.WORKER_COPIES,
      restartPolicy: {
        backoffMs: env.RESTART_BACKOFF_MS,
        backoffMaxMs: env.RESTART_BACKOFF_MAX_MS,
        resetAfterMs: env.RESTART_RESET_AFTER_MS,
        crashLoopCount: env.CRASH_LOOP_CRASHES,
        crashLoopWindowMs: env.CRASH_LOOP_WINDOW_MS,
      },
    };
  },
);
