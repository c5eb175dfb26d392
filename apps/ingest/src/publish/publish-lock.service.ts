import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { InjectConfig, type ConfigOf, ingestConfig } from '@lib/config';
import { REDIS, REDIS_KEYS, type RedisKeys } from '@lib/queue';
import { withTimeout } from '@lib/timing';

const REDIS_TIMEOUT_MS = 2000;

/** Extends the lock if we hold it, takes it again if it expired meanwhile (Redis was away), else 0. */
const REFRESH = `
local owner = redis.call('GET', KEYS[1])
if owner == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if not owner then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0`;

/** Deletes the lock only when its owner token names the session (`.../<sessionId>`). */
const RELEASE_SESSION = `
local owner = redis.call('GET', KEYS[1])
if owner and string.sub(owner, -string.len(ARGV[1]) - 1) == '/' .. ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * One publish per stream at a time across every ingest copy (docs/design-notes.md, "Redis keys"):
 * a Redis key with an owner token and an expiry, renewed while the publish lasts, so a
 * copy that dies frees its streams after INGEST_PUBLISH_LOCK_TTL_MS.
 */
@Injectable()
export class PublishLockService {
  readonly ttlMs: number;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(REDIS_KEYS) private readonly keys: RedisKeys,
    @InjectConfig(ingestConfig) ingest: ConfigOf<typeof ingestConfig>,
  ) {
    this.ttlMs = ingest.publishLockTtlMs;
  }

  /** True when this owner now holds the stream's lock; throws when Redis does not answer. */
  async acquire(streamId: string, owner: string): Promise<boolean> {
    const result = await withTimeout(
      this.redis.set(this.keys.publishLock(streamId), owner, 'PX', this.ttlMs, 'NX'),
      REDIS_TIMEOUT_MS,
      'publish lock',
    );
    return result === 'OK';
  }

  /** False when another owner holds the lock now. */
  async refresh(streamId: string, owner: string): Promise<boolean> {
    const result = await withTimeout(
      this.redis.eval(REFRESH, 1, this.keys.publishLock(streamId), owner, String(this.ttlMs)),
      REDIS_TIMEOUT_MS,
      'publish lock refresh',
    );
    return Number(result) === 1;
  }

  /** The owner token holding the stream's lock now, or null when nobody does. */
  async holder(streamId: string): Promise<string | null> {
    return withTimeout(this.redis.get(this.keys.publishLock(streamId)), REDIS_TIMEOUT_MS, 'publish lock read');
  }

  /** Frees the lock of a session whose process died, so its publisher can reconnect at once. */
  async releaseSession(streamId: string, sessionId: string): Promise<void> {
    await withTimeout(
      this.redis.eval(RELEASE_SESSION, 1, this.keys.publishLock(streamId), sessionId),
      REDIS_TIMEOUT_MS,
      'publish lock release',
    );
  }

  async release(streamId: string, owner: string): Promise<void> {
    await withTimeout(this.redis.eval(RELEASE, 1, this.keys.publishLock(streamId), owner), REDIS_TIMEOUT_MS, 'publish lock release');
  }
}

/** Whether a lock owner token (`host/pid/sessionId`, Publish.lockOwner) is the session's. */
export function lockHeldBySession(owner: string | null, sessionId: string): boolean {
  return owner !== null && owner.endsWith(`/${sessionId}`);
}
