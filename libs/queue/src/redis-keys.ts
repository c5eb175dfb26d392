/**
 * Every Redis key the relay uses besides BullMQ's own, under the environment's
 * prefix (REDIS_PREFIX). One module, so two features never collide on a name.
 */
export function redisKeys(prefix: string) {
  return {
    /** Broadcaster currently assigned to a session, shared by every worker. */
    sessionBroadcaster: (sessionId: string) => `${prefix}:session:${sessionId}:broadcaster`,
    /** Broadcasters that failed for a session (a set). */
    sessionBadBroadcasters: (sessionId: string) => `${prefix}:session:${sessionId}:bad-broadcasters`,
    /** A broadcaster every worker avoids for a while after failures. */
    broadcasterCooldown: (address: string) => `${prefix}:broadcaster:${encodeURIComponent(address)}:cooldown`,
    /** Per broadcaster success/failure/latency figures (a hash). */
    broadcasterStats: (address: string) => `${prefix}:broadcaster:${encodeURIComponent(address)}:stats`,
    /**
     * Sorted set address -> when it became failing: broadcasters that failed
     * BROADCASTER_FAILING_AFTER pushes in a row; not offered to sessions until a push or an
     * active check succeeds.
     */
    broadcastersFailing: () => `${prefix}:broadcasters:failing`,
    /** Held by the worker checking a failing broadcaster, so N workers check it once per interval. */
    broadcasterCheckLock: (address: string) => `${prefix}:broadcaster:${encodeURIComponent(address)}:check-lock`,
    /** Cached GET /api/broadcaster answer. */
    broadcasterList: () => `${prefix}:broadcasters`,
    /** Stitcher lease of a stream (its sessions share its playlists): one writer per playlist. */
    stitcherLease: (streamId: string) => `${prefix}:stitcher:lease:${streamId}`,
    /** Sorted set: stitcher copy id -> expiry (epoch ms) of its membership; copies split streams over it. */
    stitcherMembers: () => `${prefix}:stitcher:members`,
    /** Held by the stitcher copy running retention, so copies do not all run it at once. */
    stitcherRetentionLock: () => `${prefix}:stitcher:retention-lock`,
    /** Sorted set: session id -> expiry (epoch ms) of its admission slot; its size is the deployment's live publishes. */
    admissionSlots: () => `${prefix}:admission:slots`,
    /** One publish per stream key across every ingest copy. */
    publishLock: (streamId: string) => `${prefix}:publish-lock:${streamId}`,
    /** Pub/sub channel announcing session start and end (messages: session-events.ts). */
    sessionEventsChannel: () => `${prefix}:session-events`,
    /** Pub/sub channel announcing each uploaded segment and where its renditions are (segment-transcoded.ts). */
    segmentTranscodedChannel: () => `${prefix}:segment-transcoded`,
    /** Held by the stitcher copy running recording retention. */
    recordingRetentionLock: () => `${prefix}:stitcher:recording-retention-lock`,
    /** Pub/sub channel of stream changes a running ingest acts on, e.g. disable ends a publish (messages: stream-control-events.ts). */
    streamControlChannel: () => `${prefix}:stream-control`,
    /** Pub/sub channel of lifecycle events from other producers (recordings), turned into webhooks (lifecycle-events.ts). */
    lifecycleEventsChannel: () => `${prefix}:lifecycle-events`,
  };
}

export type RedisKeys = ReturnType<typeof redisKeys>;

/**
 * Fields of the `broadcasterStats(address)` hash, summed over every worker (the admin API
 * reads them): counts, the sum of round trips (mean = roundTripMsTotal / successes), and the
 * latest figures.
 */
export const BROADCASTER_STATS_FIELDS = {
  address: 'address',
  successes: 'successes',
  failures: 'failures',
  roundTripMsTotal: 'roundTripMsTotal',
  lastRoundTripMs: 'lastRoundTripMs',
  lastSuccessAt: 'lastSuccessAt',
  lastFailureAt: 'lastFailureAt',
  lastError: 'lastError',
  /** Failures since the last success (push or active check). */
  consecutiveFailures: 'consecutiveFailures',
  lastCheckAt: 'lastCheckAt',
  /** The last active check's failure, empty after a good one. */
  lastCheckError: 'lastCheckError',
} as const;

/** A `ZRANGE ... WITHSCORES` answer ([member, score, member, score, ...]) as member -> score pairs. */
export function scoredMembers(flat: string[]): [string, number][] {
  const out: [string, number][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i], Number(flat[i + 1])]);
  return out;
}
