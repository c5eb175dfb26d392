import type Redis from 'ioredis';

/** Lifetime of a run's lock: longer than any run, short enough that a dead copy's lapses. */
const LOCK_TTL_MS = 10 * 60_000;

/**
 * Runs `work` only if no other stitcher copy holds `lockKey` (SET NX with a TTL); the lock is
 * released afterwards only if it is still this run's (a token compare in Lua). Undefined when
 * another copy was running: one copy at a time, as two would only repeat the same deletes.
 */
export async function runExclusive<T>(redis: Redis, lockKey: string, work: () => Promise<T>, now = Date.now()): Promise<T | undefined> {
  const token = `${process.pid}-${now}`;
  if ((await redis.set(lockKey, token, 'PX', LOCK_TTL_MS, 'NX')) !== 'OK') return undefined;
  try {
    return await work();
  } finally {
    await redis.eval(
      `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`,
      1,
      lockKey,
      token,
    );
  }
}
