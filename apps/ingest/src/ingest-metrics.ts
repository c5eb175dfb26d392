import { Injectable } from '@nestjs/common';
import { MetricsService } from '@lib/observability';

export type Protocol = 'rtmp' | 'http';

/** Ingest's Prometheus metrics (on /metrics with the process defaults). */
@Injectable()
export class IngestMetrics {
  readonly segmentsCut;
  readonly segmentsEnqueued;
  readonly segmentsDropped;
  readonly enqueueLatency;
  readonly activePublishes;
  readonly refusals;
  readonly bufferedSegments;
  readonly livepeerCreateFailures;
  readonly sessionsWithoutRenditions;
  readonly pushFullProbes;

  constructor(metrics: MetricsService) {
    this.segmentsCut = metrics.counter('ingest_segments_total', 'Segments cut (RTMP) or received (HTTP push)', ['protocol']);
    this.segmentsEnqueued = metrics.counter('ingest_segments_enqueued_total', 'Segments stored and enqueued for upload', ['protocol']);
    this.segmentsDropped = metrics.counter('ingest_segments_dropped_total', 'Segments dropped by ingest, by ledger reason', ['reason']);
    this.enqueueLatency = metrics.histogram(
      'ingest_latency_seconds',
      'Segment closed -> upload job enqueued (object store write, ledger, queue)',
      [],
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    );
    this.activePublishes = metrics.gauge('ingest_active_publishes', 'Publishes (sessions) live on this ingest', ['protocol']);
    this.refusals = metrics.counter('ingest_publish_refusals_total', 'Publishes or pushes refused, by reason', ['protocol', 'reason']);
    this.bufferedSegments = metrics.gauge('ingest_buffered_segments', 'Segments waiting to be stored or enqueued (local buffer)');
    this.livepeerCreateFailures = metrics.counter(
      'ingest_livepeer_create_failures_total',
      'Failed POST /stream attempts, by kind (retryable or config)',
      ['kind'],
    );
    this.sessionsWithoutRenditions = metrics.counter(
      'ingest_sessions_without_renditions_total',
      'Sessions live with no rendition found (API answer, master playlist, profiles): the source alone is republished',
    );
    this.pushFullProbes = metrics.counter(
      'ingest_push_full_probes_total',
      "ffprobe runs for pushed segments: a push session's first segment and each change of encoding (the others are read in process)",
    );
  }
}
