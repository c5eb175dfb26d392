import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { redisConfig } from '@lib/config';
import { type StreamControlEvent, encodeStreamControlEvent, streamControlChannel } from '@lib/queue';
import { withTimeout } from '@lib/timing';

const PUBLISH_TIMEOUT_MS = 2000;

/**
 * Publishes stream control events. Its own lazily opened Redis connection, so the
 * CLI and the stitcher's admin API can change streams without the queue machinery,
 * and reading streams never needs Redis at all.
 */
@Injectable()
export class StreamEventsPublisher implements OnApplicationShutdown {
  private readonly logger = new Logger(StreamEventsPublisher.name);
  private redis?: Redis;

  /** Best effort: false when Redis did not take the message in time (ingest re-checks streams anyway). */
  async publish(event: StreamControlEvent): Promise<boolean> {
    const { url, prefix } = redisConfig.load();
    if (!this.redis) {
      this.redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: PUBLISH_TIMEOUT_MS });
      // Failures surface through publish() below; without a listener ioredis would print them.
      this.redis.on('error', () => undefined);
    }
    try {
      await withTimeout(
        this.redis.publish(streamControlChannel(prefix), encodeStreamControlEvent(event)),
        PUBLISH_TIMEOUT_MS,
        'stream event publish',
      );
      return true;
    } catch (err) {
      this.logger.warn({ event: event.type, streamId: event.streamId, err: (err as Error).message }, 'stream event not published');
      return false;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.quit().catch(() => this.redis?.disconnect());
  }
}
