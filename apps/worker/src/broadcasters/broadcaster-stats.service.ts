import { Inject, Injectable, Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { InjectConfig, type ConfigOf, workerConfig } from '@lib/config';
import { sessionLimitAnswer } from '@lib/livepeer';
import { BROADCASTER_STATS_FIELDS, REDIS, REDIS_KEYS, type RedisKeys, scoredMembers } from '@lib/queue';

/** Stats expire when a broadcaster has not been used for this long (it left the network). */
const STATS_IDLE_TTL_SECONDS = 7 * 24 * 3600;

/**
 * Per broadcaster success/failure/latency figures in Redis, shared by all workers, and the
 * shared "failing" set: a broadcaster that failed BROADCASTER_FAILING_AFTER pushes in a row is
 * failing (offered to no session, shown so) until a push or an active check succeeds. A
 * cool-down alone expires by time, which shows a dead broadcaster healthy again while an
 * older API's static list still offers it.
 */
@Injectable()
export class BroadcasterStats {
  private readonly logger = new Logger(BroadcasterStats.name);

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(REDIS_KEYS) private readonly keys: RedisKeys,
    @InjectConfig(workerConfig) private readonly config: ConfigOf<typeof workerConfig>,
  ) {}

  async recordSuccess(address: string, roundTripMs: number, at = Date.now()): Promise<void> {
    const key = this.keys.broadcasterStats(address);
    const f = BROADCASTER_STATS_FIELDS;
    const recovered = await this.write(
      this.redis
        .multi()
        .hincrby(key, f.successes, 1)
        .hincrby(key, f.roundTripMsTotal, Math.round(roundTripMs))
        .hset(key, f.address, address, f.lastRoundTripMs, Math.round(roundTripMs), f.lastSuccessAt, at, f.consecutiveFailures, 0)
        .expire(key, STATS_IDLE_TTL_SECONDS)
        .zrem(this.keys.broadcastersFailing(), address),
    );
    if (recovered?.[5]?.[1] === 1)
      this.logger.log({ event: 'broadcaster-recovered', address, by: 'push' }, `broadcaster ${address} recovered`);
  }

  async recordFailure(address: string, error: string, at = Date.now()): Promise<void> {
    const key = this.keys.broadcasterStats(address);
    const f = BROADCASTER_STATS_FIELDS;
    // "Too many sessions" is a full broadcaster serving the sessions it has, not a fault: no streak.
    const fault = sessionLimitAnswer(error) === null ? 1 : 0;
    const results = await this.write(
      this.redis
        .multi()
        .hincrby(key, f.failures, 1)
        .hincrby(key, f.consecutiveFailures, fault)
        .hset(key, f.address, address, f.lastFailureAt, at, f.lastError, error.slice(0, 300))
        .expire(key, STATS_IDLE_TTL_SECONDS),
    );
    const inARow = Number(results?.[1]?.[1] ?? 0);
    if (!fault || inARow < this.config.failingAfter) return;
    const added = await this.redis.zadd(this.keys.broadcastersFailing(), 'NX', at, address).catch(() => 0);
    if (added === 1) {
      this.logger.warn(
        { event: 'broadcaster-failing', address, inARow, err: error.slice(0, 300) },
        `broadcaster ${address} is failing (${inARow} failed pushes in a row); offered to no session until it succeeds`,
      );
    }
  }

  /** An active check's outcome: a good one brings a failing broadcaster back for every worker. */
  async recordCheck(address: string, error: string | null, at = Date.now()): Promise<void> {
    const key = this.keys.broadcasterStats(address);
    const f = BROADCASTER_STATS_FIELDS;
    const tx = this.redis.multi().hset(key, f.address, address, f.lastCheckAt, at, f.lastCheckError, error?.slice(0, 300) ?? '');
    if (error === null) {
      tx.hset(key, f.consecutiveFailures, 0).zrem(this.keys.broadcastersFailing(), address).del(this.keys.broadcasterCooldown(address));
    }
    const results = await this.write(tx.expire(key, STATS_IDLE_TTL_SECONDS));
    if (error === null && results?.[2]?.[1] === 1) {
      this.logger.log({ event: 'broadcaster-recovered', address, by: 'check' }, `broadcaster ${address} recovered (active check)`);
    }
  }

  /** Failing broadcasters -> when they became failing. */
  async failing(): Promise<Map<string, number>> {
    return new Map(scoredMembers(await this.redis.zrange(this.keys.broadcastersFailing(), 0, -1, 'WITHSCORES')));
  }

  /** Stats are figures, not state: a Redis hiccup must not fail an upload that succeeded. */
  private async write(transaction: ReturnType<Redis['multi']>): Promise<[Error | null, unknown][] | null> {
    try {
      return await transaction.exec();
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'cannot record broadcaster stats');
      return null;
    }
  }
}
