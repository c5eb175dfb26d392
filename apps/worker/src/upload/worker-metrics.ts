import { Injectable } from '@nestjs/common';
import type { Counter, Gauge, Histogram } from 'prom-client';
import { MetricsService } from '@lib/observability';

/** Seconds, for the sub-second and multi-second timings of 1-4 s segments. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16];
/** duration / round trip: below 1 the broadcaster is slower than real time. */
const RATIO_BUCKETS = [0.25, 0.5, 1, 1.5, 2, 4, 8, 16, 32, 64, 128];

/**
 * The worker's Prometheus metrics (on /metrics), named after go-livepeer's broadcaster
 * metrics (upload time, round trip, real-time ratio) where one exists.
 */
@Injectable()
export class WorkerMetrics {
  /** Job enqueued -> PUT started: the relay's own overhead before the broadcaster sees a byte. */
  readonly queueWait: Histogram<string>;
  readonly uploadTime: Histogram<string>;
  readonly roundTrip: Histogram<string>;
  readonly realtimeRatio: Histogram<string>;
  /** From ingest to delivery, the quantity the live deadline bounds. */
  readonly deliveryLatency: Histogram<string>;
  readonly attempts: Counter<string>;
  readonly retries: Counter<string>;
  readonly reassignments: Counter<string>;
  readonly uploaded: Counter<string>;
  readonly dropped: Counter<string>;
  readonly skipped: Counter<string>;
  readonly renditionParts: Counter<string>;
  readonly repushes: Counter<string>;
  readonly hedges: Counter<string>;
  readonly active: Gauge<string>;
  readonly failingBroadcasters: Gauge<string>;

  constructor(metrics: MetricsService) {
    this.queueWait = metrics.histogram(
      'worker_segment_queue_wait_seconds',
      'Upload job enqueued -> first PUT started.',
      [],
      LATENCY_BUCKETS,
    );
    this.uploadTime = metrics.histogram(
      'worker_segment_upload_seconds',
      'Time to send a segment body to the broadcaster (successful pushes).',
      ['broadcaster'],
      LATENCY_BUCKETS,
    );
    this.roundTrip = metrics.histogram(
      'worker_segment_round_trip_seconds',
      'PUT start -> broadcaster answer read, transcoding included (successful pushes).',
      ['broadcaster'],
      LATENCY_BUCKETS,
    );
    this.realtimeRatio = metrics.histogram(
      'worker_segment_realtime_ratio',
      'Segment duration / round trip (above 1 = faster than real time).',
      ['broadcaster'],
      RATIO_BUCKETS,
    );
    this.deliveryLatency = metrics.histogram(
      'worker_segment_delivery_seconds',
      'Segment ingested -> delivered to a broadcaster.',
      [],
      LATENCY_BUCKETS,
    );
    this.attempts = metrics.counter('worker_upload_attempts_total', 'Pushes to broadcasters, by outcome.', ['broadcaster', 'outcome']);
    this.retries = metrics.counter('worker_upload_retries_total', 'Pushes that repeated a segment already tried.');
    this.reassignments = metrics.counter(
      'worker_session_reassignments_total',
      'Sessions this worker moved to another broadcaster, by why.',
      ['reason'],
    );
    this.uploaded = metrics.counter('worker_segments_uploaded_total', 'Segments delivered to a broadcaster.');
    this.dropped = metrics.counter('worker_segments_dropped_total', 'Segments given up, by ledger reason.', ['reason']);
    this.skipped = metrics.counter(
      'worker_jobs_skipped_total',
      'Jobs whose segment already had an outcome (a job taken over after a stall, a re-enqueue).',
    );
    this.renditionParts = metrics.counter(
      'worker_rendition_parts_total',
      'Renditions of push answers: stored in the bucket, or failed (unnamed, refused URL host, not stored in time).',
      ['outcome'],
    );
    this.repushes = metrics.counter('worker_repushes_total', 'Repush jobs of the stitcher, by outcome.', ['outcome']);
    this.hedges = metrics.counter(
      'worker_push_hedges_total',
      'Late pushes also sent to another broadcaster: won (the second answered first), lost (the first did), both-failed, nowhere (no other broadcaster), over-budget (not sent: WORKER_HEDGE_BUDGET_PERCENT spent).',
      ['outcome'],
    );
    this.active = metrics.gauge('worker_jobs_active', 'Upload jobs running in this process.');
    this.failingBroadcasters = metrics.gauge(
      'worker_broadcasters_failing',
      "Broadcasters failing (failed pushes in a row, no success since), as of this worker's last check round.",
    );
  }
}
