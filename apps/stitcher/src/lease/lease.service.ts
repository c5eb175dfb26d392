import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { InjectConfig, stitcherConfig, type ConfigOf } from '@lib/config';
import { REDIS, REDIS_KEYS, type RedisKeys } from '@lib/queue';

/** Extends the lease only if this copy still holds it. */
const RENEW_SCRIPT = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE_SCRIPT = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * One writer per stream's playlists: a Redis key per stream holding this copy's id, with a TTL
 * renewed every third of it. A copy that dies stops renewing; its leases expire and another copy
 * takes the streams over. A copy treats a lease as its own only until 80% of the TTL after the
 * last confirmed renewal, so it stops writing before another copy can have taken over.
 *
 * The lease key is redisKeys.stitcherLease(streamId): per stream rather than per session,
 * because a stream's sessions share the same playlists (one writer per playlist).
 */
@Injectable()
export class LeaseService {
  readonly instanceId = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  private readonly confirmedAt = new Map<string, number>();

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(REDIS_KEYS) private readonly keys: RedisKeys,
    @InjectConfig(stitcherConfig) private readonly settings: ConfigOf<typeof stitcherConfig>,
  ) {}

  get ttlMs(): number {
    return this.settings.leaseTtlMs;
  }

  /** Announces this copy for one more TTL and returns every live copy (for rendezvous hashing). */
  async heartbeat(): Promise<string[]> {
    const key = this.keys.stitcherMembers();
    const now = Date.now();
    const result = await this.redis
      .multi()
      .zadd(key, now + this.ttlMs, this.instanceId)
      .zremrangebyscore(key, '-inf', now)
      .zrangebyscore(key, now, '+inf')
      .pexpire(key, this.ttlMs * 10)
      .exec();
    const members = result?.[2]?.[1];
    return Array.isArray(members) ? (members as string[]) : [this.instanceId];
  }

  async leave(): Promise<void> {
    await this.redis.zrem(this.keys.stitcherMembers(), this.instanceId);
  }

  /** Takes the stream's lease if it is free (or already this copy's, e.g. after a local stop). */
  async tryAcquire(streamId: string): Promise<boolean> {
    const key = this.keys.stitcherLease(streamId);
    const sent = Date.now();
    const taken =
      (await this.redis.set(key, this.instanceId, 'PX', this.ttlMs, 'NX')) === 'OK' ||
      (await this.redis.eval(RENEW_SCRIPT, 1, key, this.instanceId, this.ttlMs)) === 1;
    if (taken) this.confirmedAt.set(streamId, sent);
    return taken;
  }

  /** Renews every lease held; returns the streams whose lease was lost. */
  async renewAll(): Promise<string[]> {
    const streams = [...this.confirmedAt.keys()];
    if (streams.length === 0) return [];
    const sent = Date.now();
    const pipeline = this.redis.pipeline();
    for (const streamId of streams) pipeline.eval(RENEW_SCRIPT, 1, this.keys.stitcherLease(streamId), this.instanceId, this.ttlMs);
    const results = (await pipeline.exec()) ?? [];
    const lost: string[] = [];
    streams.forEach((streamId, i) => {
      const [err, renewed] = results[i] ?? [new Error('no reply'), 0];
      if (!err && renewed === 1) this.confirmedAt.set(streamId, sent);
      else if (!err) {
        this.confirmedAt.delete(streamId);
        lost.push(streamId);
      }
      // A Redis error leaves the lease as it was: it lapses locally if errors go on.
    });
    return lost;
  }

  /** Whether this copy may still write the stream's playlists. */
  holds(streamId: string): boolean {
    const at = this.confirmedAt.get(streamId);
    return at !== undefined && Date.now() - at < this.ttlMs * 0.8;
  }

  held(): string[] {
    return [...this.confirmedAt.keys()];
  }

  async release(streamId: string): Promise<void> {
    this.confirmedAt.delete(streamId);
    await this.redis.eval(RELEASE_SCRIPT, 1, this.keys.stitcherLease(streamId), this.instanceId);
  }

  /** Forgets a lease known to be lost (no Redis call). */
  forget(streamId: string): void {
    this.confirmedAt.delete(streamId);
  }

  /** The copy holding the stream's lease, or null. */
  owner(streamId: string): Promise<string | null> {
    return this.redis.get(this.keys.stitcherLease(streamId));
  }
}
