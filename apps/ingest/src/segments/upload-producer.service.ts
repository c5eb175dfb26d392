import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import { InjectConfig, type ConfigOf, redisConfig } from '@lib/config';
import { SEGMENT_UPLOAD_QUEUE, UPLOAD_JOB_OPTIONS, UPLOAD_SEGMENT_JOB, UploadSegmentPayload, uploadJobId } from '@lib/queue';
import { withTimeout } from './retry-policy';

const ADD_TIMEOUT_MS = 3000;

/**
 * Enqueues upload jobs on a connection of its own that fails fast: without an offline
 * queue, an `add` while Redis is down rejects at once instead of waiting in memory,
 * so the segment stays in ingest's ordered, bounded buffer (and is dropped with
 * `queue-unavailable` when that overflows) rather than being sent late behind its
 * back. The job id is deterministic, so a retried add never duplicates a job.
 */
@Injectable()
export class UploadProducer implements OnApplicationShutdown {
  private readonly logger = new Logger(UploadProducer.name);
  private readonly queue: Queue<UploadSegmentPayload>;
  private lastErrorLog = 0;

  constructor(@InjectConfig(redisConfig) redis: ConfigOf<typeof redisConfig>) {
    this.queue = new Queue<UploadSegmentPayload>(SEGMENT_UPLOAD_QUEUE, {
      prefix: redis.prefix,
      connection: {
        url: redis.url,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        // Reconnect quickly: an outage of a few seconds must cost about that much.
        retryStrategy: (times: number) => Math.min(100 * times, 1000),
      },
    });
    this.queue.on('error', (err) => {
      // Connection errors repeat every reconnect attempt: one line per 5 s is enough.
      if (Date.now() - this.lastErrorLog > 5000) {
        this.lastErrorLog = Date.now();
        this.logger.warn({ err: err.message }, 'upload queue connection error');
      }
    });
  }

  async enqueue(payload: UploadSegmentPayload): Promise<void> {
    await withTimeout(
      this.queue.add(UPLOAD_SEGMENT_JOB, payload, { ...UPLOAD_JOB_OPTIONS, jobId: uploadJobId(payload.sessionId, payload.seq) }),
      ADD_TIMEOUT_MS,
      'enqueue upload job',
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close().catch(() => undefined);
  }
}
