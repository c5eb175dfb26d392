import { defineConfig } from '../define-config';
import { hostList, positiveInt } from '../schemas';

/** Webhook delivery (the stitcher's webhooks module) and endpoint checks (admin API, CLI). */
export const webhooksConfig = defineConfig(
  'webhooks',
  {
    WEBHOOK_ALLOWED_HOSTS: {
      schema: hostList(),
      description:
        'host or host:port list webhook endpoints may be delivered to; listed hosts may resolve to loopback/private addresses. Empty: any host whose resolved addresses are all public.',
    },
    WEBHOOK_TIMEOUT_MS: {
      schema: positiveInt(10_000, 120_000),
      description: 'Time limit of one delivery attempt (connect, headers and body); a slower receiver counts as failed.',
    },
    WEBHOOK_MAX_RESPONSE_BYTES: {
      schema: positiveInt(64 * 1024, 16 * 1024 * 1024),
      description: 'Largest receiver answer read; past it the connection is dropped (the status already counts).',
    },
    WEBHOOK_MAX_ATTEMPTS: {
      schema: positiveInt(14, 100),
      description: 'Attempts per delivery before it is given up (with the default backoff: about a day).',
    },
    WEBHOOK_BACKOFF_MS: {
      schema: positiveInt(10_000, 3_600_000),
      description: 'First retry delay of a failed delivery; doubled on each further attempt.',
    },
    WEBHOOK_CONCURRENCY: {
      schema: positiveInt(8, 256),
      description: 'Deliveries one stitcher copy makes at once.',
    },
  },
  (env) => ({
    allowedHosts: env.WEBHOOK_ALLOWED_HOSTS,
    timeoutMs: env.WEBHOOK_TIMEOUT_MS,
    maxResponseBytes: env.WEBHOOK_MAX_RESPONSE_BYTES,
    maxAttempts: env.WEBHOOK_MAX_ATTEMPTS,
    backoffMs: env.WEBHOOK_BACKOFF_MS,
    concurrency: env.WEBHOOK_CONCURRENCY,
  }),
);
