import { defineConfig } from '../define-config';
import { bool, port, positiveInt } from '../schemas';

export const workerConfig = defineConfig(
  'worker',
  {
    WORKER_HTTP_PORT: { schema: port(8082), description: 'Worker HTTP port (health, metrics).' },
    WORKER_CONCURRENCY: { schema: positiveInt(8, 1000), description: 'Upload jobs one worker process runs at once.' },
    WORKER_CONNECT_TIMEOUT_MS: {
      schema: positiveInt(2000),
      description: 'TCP connect timeout towards a broadcaster.',
    },
    WORKER_MULTIPART: {
      schema: bool(false),
      description: 'Send Accept: multipart/mixed so broadcasters return renditions in the PUT response.',
    },
    BROADCASTER_COOLDOWN_MS: {
      schema: positiveInt(10_000),
      description: 'How long a failed broadcaster is avoided by every worker.',
    },
    BROADCASTER_LIST_TTL_MS: {
      schema: positiveInt(2000),
      description: 'How long the GET /api/broadcaster answer is cached.',
    },
  },
  (env) => ({
    httpPort: env.WORKER_HTTP_PORT,
    concurrency: env.WORKER_CONCURRENCY,
    connectTimeoutMs: env.WORKER_CONNECT_TIMEOUT_MS,
    multipart: env.WORKER_MULTIPART,
    broadcasterCooldownMs: env.BROADCASTER_COOLDOWN_MS,
    broadcasterListTtlMs: env.BROADCASTER_LIST_TTL_MS,
  }),
);
