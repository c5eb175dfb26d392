import { Injectable } from '@nestjs/common';
import type { Counter, Histogram } from 'prom-client';
import { MetricsService } from '@lib/observability';

/** The local fallback transcoder's figures on the worker's /metrics. */
@Injectable()
export class FallbackMetrics {
  /** Segments the worker transcoded itself (`outcome`: uploaded / failed), by what made it fall back. */
  readonly transcodes: Counter<string>;
  readonly transcodeSeconds: Histogram<string>;

  constructor(metrics: MetricsService) {
    this.transcodes = metrics.counter(
      'worker_fallback_transcodes_total',
      'Segments transcoded by the worker itself because no broadcaster could (FALLBACK_TRANSCODE=local).',
      ['trigger', 'outcome'],
    );
    this.transcodeSeconds = metrics.histogram(
      'worker_fallback_transcode_seconds',
      'Time to transcode one segment into the ladder locally and store the renditions.',
      [],
      [0.25, 0.5, 1, 2, 4, 8, 16],
    );
  }
}
