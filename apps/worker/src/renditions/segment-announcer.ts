import { Inject, Injectable, Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { REDIS, REDIS_KEYS, type RedisKeys, type SegmentTranscodedEvent } from '@lib/queue';

/**
 * Publishes the segment-transcoded announcement (libs/queue segment-transcoded.ts) once the
 * ledger row says `uploaded`. Best effort: pub/sub is only the stitcher's fast path, the ledger
 * row is the record a stitcher that missed the message reads, so a failed publish is logged and
 * never fails the job.
 */
@Injectable()
export class SegmentAnnouncer {
  private readonly logger = new Logger(SegmentAnnouncer.name);

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(REDIS_KEYS) private readonly keys: RedisKeys,
  ) {}

  async announce(event: SegmentTranscodedEvent): Promise<void> {
    try {
      await this.redis.publish(this.keys.segmentTranscodedChannel(), JSON.stringify(event));
    } catch (err) {
      this.logger.warn({ sessionId: event.sessionId, seq: event.seq, err: (err as Error).message }, 'cannot announce a transcoded segment');
    }
  }
}
