import { Inject, Injectable, Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { BROADCASTER_STATS_FIELDS, REDIS, REDIS_KEYS, type RedisKeys } from '@lib/queue';

/** Stats expire when a broadcaster has not been used for this long (it left the network). */
const STATS_IDLE_TTL_SECONDS = 7 * 24 * 3600;

/** Per broadcaster success/failure/latency figures in Redis, shared by all workers. */
@Injectable()
export class BroadcasterStats {
  private readonly logger = new Logger(BroadcasterStats.name);

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(REDIS_KEYS) private readonly keys: RedisKeys,
  ) {}

  async recordSuccess(address: string, roundTripMs: number, at = Date.now()): Promise<void> {
    const key = this.keys.broadcasterStats(address);
    const f = BROADCASTER_STATS_FIELDS;
    await this.write(
      this.redis
        .multi()
        .hincrby(key, f.successes, 1)
        .hincrby(key, f.roundTripMsTotal, Math.round(roundTripMs))
        .hset(key, f.address, address, f.lastRoundTripMs, Math.round(roundTripMs), f.lastSuccessAt, at)
        .expire(key, STATS_IDLE_TTL_SECONDS),
    );
  }

  async recordFailure(address: string, error: string, at = Date.now()): Promise<void> {
    const key = this.keys.broadcasterStats(address);
    const f = BROADCASTER_STATS_FIELDS;
    await this.write(
      this.redis
        .multi()
        .hincrby(key, f.failures, 1)
        .hset(key, f.address, address, f.lastFailureAt, at, f.lastError, error.slice(0, 300))
        .expire(key, STATS_IDLE_TTL_SECONDS),
    );
  }

  /** Stats are figures, not state: a Redis hiccup must not fail an upload that succeeded. */
  private async write(transaction: ReturnType<Redis['multi']>): Promise<void> {
    try {
      await transaction.exec();
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'cannot record broadcaster stats');
    }
  }
}
