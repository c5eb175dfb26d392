import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { SEGMENT_UPLOAD_QUEUE } from '@lib/queue';

/** Queue depth is sampled this often... */
export const QUEUE_SAMPLE_MS = 5000;
/** ...and kept for an hour. */
const QUEUE_SAMPLES_KEPT = 720;

export interface QueueSample {
  at: number;
  waiting: number;
  active: number;
  /** Jobs finished (completed or failed) per second since the previous sample; null for the first. */
  jobsPerSecond: number | null;
}

interface RawSample {
  at: number;
  waiting: number;
  active: number;
  /** BullMQ's running totals (the workers keep them: UPLOAD_WORKER_OPTIONS.metrics). */
  finished: number;
}

/**
 * The upload queue's waiting and active counts and its throughput over the last hour, sampled
 * by this stitcher copy in memory (BullMQ keeps no history of counts; its metrics are per
 * minute). A copy's history starts when it started.
 */
@Injectable()
export class QueueSampler implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(QueueSampler.name);
  private readonly samples: RawSample[] = [];
  private timer?: NodeJS.Timeout;
  private failing = false;

  constructor(@InjectQueue(SEGMENT_UPLOAD_QUEUE) private readonly queue: Queue) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.sample(), QUEUE_SAMPLE_MS);
    this.timer.unref();
    void this.sample();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** The samples of `name` (the upload queue is the only one), oldest first; undefined for another name. */
  history(name: string): QueueSample[] | undefined {
    if (name !== this.queue.name) return undefined;
    return this.samples.map((s, i) => {
      const previous = this.samples[i - 1];
      const seconds = previous ? (s.at - previous.at) / 1000 : 0;
      return {
        at: s.at,
        waiting: s.waiting,
        active: s.active,
        jobsPerSecond: previous && seconds > 0 ? Math.max(0, s.finished - previous.finished) / seconds : null,
      };
    });
  }

  async sample(): Promise<void> {
    try {
      const [counts, completed, failed] = await Promise.all([
        this.queue.getJobCounts('waiting', 'active', 'prioritized'),
        this.queue.getMetrics('completed', 0, 0),
        this.queue.getMetrics('failed', 0, 0),
      ]);
      this.samples.push({
        at: Date.now(),
        waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
        active: counts.active ?? 0,
        finished: Number(completed.meta.count ?? 0) + Number(failed.meta.count ?? 0),
      });
      this.samples.splice(0, Math.max(0, this.samples.length - QUEUE_SAMPLES_KEPT));
      this.failing = false;
    } catch (err) {
      // Redis away: a gap in the chart, one warning per outage.
      if (!this.failing) this.logger.warn(`upload queue not sampled: ${(err as Error).message}`);
      this.failing = true;
    }
  }
}
