/**
 * Redis keys of the stitcher that libs/queue's redisKeys does not name yet (membership of the
 * stitcher copies, the retention lock). Same prefix and naming scheme; to be moved into
 * redisKeys (libs/queue/src/redis-keys.ts), the one module of key names.
 */
export function stitcherKeys(prefix: string) {
  return {
    /** Sorted set: stitcher copy id -> expiry (epoch ms) of its membership. */
    members: () => `${prefix}:stitcher:members`,
    /** Held by the copy running retention, so copies do not all run it at once. */
    retentionLock: () => `${prefix}:stitcher:retention-lock`,
  };
}
