import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { REDIS, REDIS_KEYS, decodeLifecycleEvent, type RedisKeys } from '@lib/queue';
import { LifecycleDispatcher } from './lifecycle-dispatcher.service';

/** Bad messages are logged at most this often. */
const BAD_MESSAGE_LOG_MS = 60_000;

/**
 * Lifecycle events other producers publish (recordings: `recording.ready`, `recording.failed`,
 * `asset.export-ready`, `asset.export-failed`) on `redisKeys.lifecycleEventsChannel()`, turned into deliveries. Every
 * stitcher copy hears every message; the delivery log's (event, endpoint) uniqueness makes it
 * one delivery per endpoint. Its own subscriber connection (a subscribed ioredis client takes no
 * other commands).
 */
@Injectable()
export class LifecycleChannelSubscriber implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(LifecycleChannelSubscriber.name);
  private subscriber?: Redis;
  private lastBadLog = 0;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(REDIS_KEYS) private readonly keys: RedisKeys,
    private readonly dispatcher: LifecycleDispatcher,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.subscriber = this.redis.duplicate();
    this.subscriber.on('error', (err: Error) => this.logger.warn({ err: err.message }, 'lifecycle channel connection error'));
    this.subscriber.on('message', (_channel: string, message: string) => void this.received(message));
    await this.subscriber.subscribe(this.keys.lifecycleEventsChannel());
  }

  private async received(message: string): Promise<void> {
    const event = decodeLifecycleEvent(message);
    if (!event) {
      if (Date.now() - this.lastBadLog > BAD_MESSAGE_LOG_MS) {
        this.lastBadLog = Date.now();
        this.logger.warn({ bytes: message.length }, 'message on the lifecycle channel is not a lifecycle event; ignored');
      }
      return;
    }
    try {
      await this.dispatcher.dispatch(event);
    } catch (err) {
      this.logger.error({ eventId: event.id, err: (err as Error).message }, 'lifecycle event not dispatched');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }
}
