import { z } from 'zod/v4';
import { defineConfig } from '../define-config';
import { bool, hostList, nonNegativeNumber, port, positiveInt, positiveNumber } from '../schemas';

/**
 * The upload worker. The time budget itself (read timeout and live deadline as factors
 * of a segment's duration) lives in the `segments` namespace, shared with the other apps.
 */
export const workerConfig = defineConfig(
  'worker',
  {
    WORKER_HTTP_PORT: { schema: port(8082), description: 'Worker HTTP port (health, metrics).' },
    WORKER_CONCURRENCY: {
      schema: positiveInt(32, 1000),
      description: 'Upload jobs one worker process runs at once (uploads wait on transcoding, so this is I/O concurrency, not CPU).',
    },
    WORKER_CONNECT_TIMEOUT_MS: {
      schema: positiveInt(2000),
      description: 'TCP connect timeout towards a broadcaster.',
    },
    WORKER_MAX_CONNECTIONS_PER_BROADCASTER: {
      schema: positiveInt(128, 10_000),
      description: 'Kept-alive connections one worker process opens to one broadcaster at most.',
    },
    WORKER_MULTIPART: {
      schema: bool(true),
      description:
        'Ask for the renditions in the push answer (Accept: multipart/mixed), stored and announced to the stitcher; false = playlist path.',
    },
    WORKER_ALLOWED_RENDITION_HOSTS: {
      schema: hostList(),
      description:
        'Extra host[:port] list rendition URLs of push answers may be fetched from, besides the broadcasters GET /api/broadcaster returns.',
    },
    WORKER_RETRY_INTERVAL_MS: {
      schema: positiveInt(250, 60_000),
      description:
        'Pause before another try when every broadcaster failed recently (or the object store failed); a switch to a healthy broadcaster is immediate.',
    },
    WORKER_HEDGE_ROUND_TRIPS: {
      schema: nonNegativeNumber(3, 100),
      description:
        "A push not answered after this many of the broadcaster's usual round trips is also sent to another broadcaster (first answer wins, the session moves); 0 = never.",
    },
    WORKER_HEDGE_MAX_FRACTION: {
      schema: positiveNumber(0.25, 1),
      description: "Latest hedge, as a fraction of the segment's duration (also the delay for a broadcaster with no round trip yet).",
    },
    WORKER_HEDGE_BUDGET_PERCENT: {
      schema: positiveNumber(10, 100),
      description:
        'Hedged pushes a worker may send, as a percentage of its pushes (with bursts of up to 5): a broadcaster that is slow for everyone at once (a burst of segments) is not sent every segment twice, and a network paying per transcode pays at most this much more.',
    },
    BROADCASTER_COOLDOWN_MS: {
      schema: positiveInt(10_000),
      description: 'How long a failed broadcaster is avoided by every worker, for every session.',
    },
    BROADCASTER_SESSION_BAN_MS: {
      schema: positiveInt(60_000),
      description: 'How long a broadcaster that failed a session is avoided for that session.',
    },
    BROADCASTER_FAILING_AFTER: {
      schema: positiveInt(3, 1000),
      description:
        'Failed pushes in a row after which a broadcaster is shown failing and offered to no session until a push or an active check succeeds.',
    },
    BROADCASTER_CHECK_INTERVAL_MS: {
      schema: positiveInt(5000, 600_000),
      description: 'How often a failing broadcaster is checked (GET {broadcaster}/status, by one worker at a time); a 200 brings it back.',
    },
    FALLBACK_TRANSCODE: {
      schema: z.enum(['off', 'local']).default('off'),
      description:
        'local: when no broadcaster can take a segment before its deadline (every one failing, none listed, the Livepeer API down), the worker transcodes the ladder itself with ffmpeg (CPU on the worker host) until a broadcaster is back; off: the stream goes on in its source variant only.',
    },
    FALLBACK_TRANSCODE_RESERVE_FACTOR: {
      schema: z.coerce.number().min(0.5).max(10).default(2),
      description:
        'With FALLBACK_TRANSCODE=local: broadcasters are tried until this many segment durations before the live deadline, the rest is the local transcode budget.',
    },
    BROADCASTER_LIST_TTL_MS: {
      schema: positiveInt(2000),
      description: 'How long the GET /api/broadcaster answer is cached (in Redis for every worker, and in process).',
    },
    WORKER_EXPORT_CONCURRENCY: {
      schema: positiveInt(1, 16),
      description: 'MP4 exports (recording-export queue) one worker process runs at once (ffmpeg -c copy: disk and network bound).',
    },
  },
  (env) => ({
    httpPort: env.WORKER_HTTP_PORT,
    concurrency: env.WORKER_CONCURRENCY,
    connectTimeoutMs: env.WORKER_CONNECT_TIMEOUT_MS,
    maxConnectionsPerBroadcaster: env.WORKER_MAX_CONNECTIONS_PER_BROADCASTER,
    multipart: env.WORKER_MULTIPART,
    allowedRenditionHosts: env.WORKER_ALLOWED_RENDITION_HOSTS,
    retryIntervalMs: env.WORKER_RETRY_INTERVAL_MS,
    hedge: {
      roundTrips: env.WORKER_HEDGE_ROUND_TRIPS,
      maxFraction: env.WORKER_HEDGE_MAX_FRACTION,
      budgetPercent: env.WORKER_HEDGE_BUDGET_PERCENT,
    },
    broadcasterCooldownMs: env.BROADCASTER_COOLDOWN_MS,
    sessionBanMs: env.BROADCASTER_SESSION_BAN_MS,
    broadcasterListTtlMs: env.BROADCASTER_LIST_TTL_MS,
    failingAfter: env.BROADCASTER_FAILING_AFTER,
    checkIntervalMs: env.BROADCASTER_CHECK_INTERVAL_MS,
    exportConcurrency: env.WORKER_EXPORT_CONCURRENCY,
    fallbackTranscode: env.FALLBACK_TRANSCODE,
    fallbackReserveFactor: env.FALLBACK_TRANSCODE_RESERVE_FACTOR,
  }),
);
