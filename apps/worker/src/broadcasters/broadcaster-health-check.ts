import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { InjectConfig, type ConfigOf, workerConfig } from '@lib/config';
import { describeFetchError } from '@lib/livepeer';
import { REDIS, REDIS_KEYS, type RedisKeys } from '@lib/queue';
import { WorkerMetrics } from '../upload/worker-metrics';
import { BroadcasterStats } from './broadcaster-stats.service';

const CHECK_TIMEOUT_MS = 2000;

/**
 * The light active check of failing broadcasters: every BROADCASTER_CHECK_INTERVAL_MS,
 * `GET {broadcaster}/status` of each failing one (one worker per broadcaster per interval,
 * through a Redis lock). A 200 brings it back for every worker; anything else keeps it failing.
 * Healthy broadcasters are never checked: their pushes say how they are.
 */
@Injectable()
export class BroadcasterHealthCheck implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(BroadcasterHealthCheck.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly stats: BroadcasterStats,
    private readonly metrics: WorkerMetrics,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(REDIS_KEYS) private readonly keys: RedisKeys,
    @InjectConfig(workerConfig) private readonly config: ConfigOf<typeof workerConfig>,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => {
      this.running ??= this.checkFailing()
        .then(() => undefined)
        .catch((err: Error) => this.logger.warn({ err: err.message }, 'failing broadcasters not checked'))
        .finally(() => (this.running = undefined));
    }, this.config.checkIntervalMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One round: each failing broadcaster this worker wins the lock of. Returns what it checked. */
  async checkFailing(): Promise<string[]> {
    const failing = [...(await this.stats.failing()).keys()];
    this.metrics.failingBroadcasters.set(failing.length);
    const mine: string[] = [];
    for (const address of failing) {
      const won = await this.redis.set(this.keys.broadcasterCheckLock(address), '1', 'PX', this.config.checkIntervalMs, 'NX');
      if (won === 'OK') mine.push(address);
    }
    await Promise.all(mine.map(async (address) => this.stats.recordCheck(address, await this.check(address))));
    return mine;
  }

  /** null when the broadcaster answers 200, else why not. */
  private async check(address: string): Promise<string | null> {
    try {
      const response = await fetch(`${address}/status`, { signal: AbortSignal.timeout(CHECK_TIMEOUT_MS) });
      await response.arrayBuffer().catch(() => undefined);
      return response.status === 200 ? null : `status answered ${response.status}`;
    } catch (err) {
      return (err as Error)?.name === 'TimeoutError' ? `status timed out after ${CHECK_TIMEOUT_MS} ms` : describeFetchError(err);
    }
  }
}
