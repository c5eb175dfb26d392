import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { InjectConfig, redisConfig, stitcherConfig, type ConfigOf } from '@lib/config';
import { REDIS, REDIS_KEYS, type RedisKeys } from '@lib/queue';
import { LeaseRenewalThread, RENEW_SCRIPT } from './lease-renewal-thread';
const RELEASE_SCRIPT = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * One writer per stream's playlists: a Redis key per stream holding this copy's id, with a TTL
 * renewed every third of it. A copy that dies stops renewing; its leases expire and another copy
 * takes the streams over. A copy treats a lease as its own only until 80% of the TTL after the
 * last confirmed renewal, so it stops writing before another copy can have taken over.
 * Renewals run on a worker thread with its own Redis connection (LeaseRenewalThread): a busy
 * event loop delays playlist writes, never the renewals, so load never costs a copy its leases.
 *
 * The lease key is redisKeys.stitcherLease(streamId): per stream rather than per session,
 * because a stream's sessions share the same playlists (one writer per playlist).
 */
@Injectable()
export class LeaseService implements OnModuleDestroy {
  readonly instanceId = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  private readonly renewals: LeaseRenewalThread;
  private readonly lostHandlers: Array<(streamId: string) => void> = [];

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(REDIS_KEYS) private readonly keys: RedisKeys,
    @InjectConfig(stitcherConfig) private readonly settings: ConfigOf<typeof stitcherConfig>,
    @InjectConfig(redisConfig) redisSettings: ConfigOf<typeof redisConfig>,
  ) {
    this.renewals = new LeaseRenewalThread({
      redisUrl: redisSettings.url,
      instanceId: this.instanceId,
      ttlMs: this.ttlMs,
      intervalMs: Math.max(200, Math.floor(this.ttlMs / 3)),
      onLost: (streamId) => this.lostHandlers.forEach((handler) => handler(streamId)),
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.renewals.stop();
  }

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
    if (taken) this.renewals.hold(streamId, key, sent);
    return taken;
  }

  /** Calls `handler` (on the main thread) for each held lease the renewals find taken by another copy. */
  onLost(handler: (streamId: string) => void): void {
    this.lostHandlers.push(handler);
  }

  /** Whether this copy may still write the stream's playlists. */
  holds(streamId: string): boolean {
    const at = this.renewals.confirmedAt(streamId);
    return at !== undefined && Date.now() - at < this.ttlMs * 0.8;
  }

  held(): string[] {
    return this.renewals.held();
  }

  async release(streamId: string): Promise<void> {
    this.renewals.release(streamId);
    await this.redis.eval(RELEASE_SCRIPT, 1, this.keys.stitcherLease(streamId), this.instanceId);
  }

  /** Forgets a lease known to be lost (no Redis call). */
  forget(streamId: string): void {
    this.renewals.release(streamId);
  }

  /** The copy holding the stream's lease, or null. */
  owner(streamId: string): Promise<string | null> {
    return this.redis.get(this.keys.stitcherLease(streamId));
  }
}
