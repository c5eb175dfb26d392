import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { redisConfig } from '@lib/config';
import type { ReadinessProbe } from '@lib/observability';
import { redisKeys, type RedisKeys } from './redis-keys';

export const REDIS = 'redis:client';
export const REDIS_KEYS = 'redis:keys';

/**
 * Reconnect attempts after a lost Redis connection: 50 ms, 100 ms, ... at most every 500 ms
 * (ioredis's default backs off to 2 s). A live relay's Redis is on the local network, and every
 * second a restart costs beyond its own length is a second the republished playlists go without a
 * segment; a Redis that stays down costs one cheap reconnect attempt per connection every 500 ms.
 */
export const RECONNECT_DELAY = { stepMs: 50, maxMs: 500 } as const;

export function reconnectDelay(times: number): number {
  return Math.min(RECONNECT_DELAY.stepMs * times, RECONNECT_DELAY.maxMs);
}

/** Connection options BullMQ needs: blocking commands must not be retried by ioredis. */
export function bullConnection(url: string) {
  return { url, maxRetriesPerRequest: null, enableOfflineQueue: true, retryStrategy: reconnectDelay };
}

@Injectable()
export class RedisProbe implements ReadinessProbe {
  readonly name = 'redis';
  constructor(@Inject(REDIS) private readonly redis: Redis) {}
  async probe(): Promise<void> {
    await this.redis.ping();
  }
}

@Injectable()
class RedisCloser implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}
  async onApplicationShutdown() {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/**
 * Redis for one app: a shared ioredis client (assignments, leases, locks, events),
 * the key names, and BullMQ's root config with the environment's prefix. No queue is
 * registered here: each app registers the queues it uses (BullModule.registerQueue in its
 * own module), so an app that only consumes, or uses no queue, opens no idle connection.
 */
@Global()
@Module({})
export class QueueModule {
  static forRoot(): DynamicModule {
    const redis = redisConfig.load();
    return {
      module: QueueModule,
      imports: [BullModule.forRoot({ connection: bullConnection(redis.url), prefix: redis.prefix })],
      providers: [
        {
          provide: REDIS,
          useFactory: () => new Redis(redis.url, { maxRetriesPerRequest: 3, enableOfflineQueue: true, retryStrategy: reconnectDelay }),
        },
        { provide: REDIS_KEYS, useValue: redisKeys(redis.prefix) satisfies RedisKeys },
        RedisProbe,
        RedisCloser,
      ],
      exports: [BullModule, REDIS, REDIS_KEYS, RedisProbe],
    };
  }
}
