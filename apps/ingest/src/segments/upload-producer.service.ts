import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import {
  SEGMENT_UPLOAD_QUEUE,
  UPLOAD_JOB_OPTIONS,
  UPLOAD_SEGMENT_JOB,
  type UploadSegmentPayload,
  parseUploadSegmentPayload,
  uploadJobId,
} from '@lib/queue';
import { withTimeout } from '@lib/timing';

const ADD_TIMEOUT_MS = 3000;

/**
 * Enqueues upload jobs on the queue UploadQueueModule registers, whose connection fails
 * fast: without an offline queue, an `add` while Redis is down rejects at once instead of
 * waiting in memory, so the segment stays in ingest's ordered, bounded buffer (and is
 * dropped with `queue-unavailable` when that overflows) rather than being sent late behind
 * its back. The job id is deterministic, so a retried add never duplicates a job. Every
 * payload is checked against the queue contract before it leaves.
 */
@Injectable()
export class UploadProducer {
  private readonly logger = new Logger(UploadProducer.name);
  private lastErrorLog = 0;

  /** Called once when the queue's connection is next ready (see onReconnect). */
  private readonly reconnectWaiters = new Set<() => void>();

  constructor(@InjectQueue(SEGMENT_UPLOAD_QUEUE) private readonly queue: Queue<UploadSegmentPayload>) {
    this.queue.on('error', (err) => {
      // Connection errors repeat every reconnect attempt: one line per 5 s is enough.
      if (Date.now() - this.lastErrorLog > 5000) {
        this.lastErrorLog = Date.now();
        this.logger.warn({ err: err.message }, 'upload queue connection error');
      }
    });
    void this.queue.client
      .then((client) =>
        client.on('ready', () => {
          const waiters = [...this.reconnectWaiters];
          this.reconnectWaiters.clear();
          for (const waiter of waiters) waiter();
        }),
      )
      .catch(() => undefined); // the first connection failing is an enqueue error, retried by the shipper
  }

  /**
   * Calls `waiter` once, when the queue's Redis connection is next ready (after an outage): a
   * segment waiting to be enqueued is tried again then, not at the end of its backoff, so an
   * outage costs the live edge about its own length. Returns the unsubscribe.
   */
  onReconnect(waiter: () => void): () => void {
    this.reconnectWaiters.add(waiter);
    return () => this.reconnectWaiters.delete(waiter);
  }

  /** Upload jobs waiting for a worker (admission's measure of worker load). */
  async waiting(): Promise<number> {
    return withTimeout(this.queue.getWaitingCount(), ADD_TIMEOUT_MS, 'upload backlog');
  }

  async enqueue(payload: UploadSegmentPayload): Promise<void> {
    const checked = parseUploadSegmentPayload(payload);
    await withTimeout(
      this.queue.add(UPLOAD_SEGMENT_JOB, checked, { ...UPLOAD_JOB_OPTIONS, jobId: uploadJobId(checked.sessionId, checked.seq) }),
      ADD_TIMEOUT_MS,
      'enqueue upload job',
    );
  }
}
