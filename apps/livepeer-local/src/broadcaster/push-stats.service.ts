import { Injectable } from '@nestjs/common';
import { MetricsService } from '@lib/observability';
import type { Counter } from 'prom-client';

export interface PushCounts {
  /** every request that reached /live/, whatever became of it */
  received: number;
  /** answered 200 */
  succeeded: number;
  /** answered with an error status, reset or hung */
  failed: number;
  /** manifest id -> sequence number -> pushes received */
  byManifest: Record<string, Record<string, number>>;
}

/**
 * Counts the pushes this broadcaster received, per manifest and sequence number, so tests can
 * prove a segment was PUT exactly once (GET /admin/pushes) and operators can see the load.
 */
@Injectable()
export class PushStatsService {
  private counts: PushCounts = { received: 0, succeeded: 0, failed: 0, byManifest: {} };
  private readonly pushes: Counter<'outcome'>;

  constructor(metrics: MetricsService) {
    this.pushes = metrics.counter('livepeer_local_pushes_total', 'Segment pushes received by this broadcaster', ['outcome']);
  }

  received(manifestId: string | undefined, seq: number | undefined): void {
    this.counts.received++;
    if (manifestId !== undefined && seq !== undefined) {
      const bySeq = (this.counts.byManifest[manifestId] ??= {});
      bySeq[seq] = (bySeq[seq] ?? 0) + 1;
    }
  }

  finished(outcome: 'ok' | number | 'reset' | 'hang'): void {
    if (outcome === 'ok') this.counts.succeeded++;
    else this.counts.failed++;
    this.pushes.inc({ outcome: String(outcome) });
  }

  snapshot(): PushCounts {
    return structuredClone(this.counts);
  }

  summary(): Omit<PushCounts, 'byManifest'> {
    const { received, succeeded, failed } = this.counts;
    return { received, succeeded, failed };
  }

  reset(): void {
    this.counts = { received: 0, succeeded: 0, failed: 0, byManifest: {} };
  }
}
