import { budgetedDurationMs } from '@lib/timing';
/**
 * The bounded local buffer (INGEST_BUFFER_MAX_SEGMENTS): segments cut but not yet
 * handed on (not enqueued and not dropped), counted across every publish of this
 * process, since they share one disk. While the object store or Redis is down they
 * wait, in order, and are retried; once more than `limit` are waiting, a blocked
 * publish drops its oldest segment (recorded in the ledger with the reason) instead
 * of retrying it. Segments waiting only for their Livepeer stream are not blocked by
 * infrastructure; they have their own limit, the live deadline.
 */
export class SegmentBacklog {
  private waiting = 0;

  constructor(readonly limit: number) {}

  get size(): number {
    return this.waiting;
  }

  /** A segment was cut and waits to be handed on. */
  add(): void {
    this.waiting++;
  }

  /** A segment was enqueued or dropped. */
  settle(): void {
    this.waiting = Math.max(0, this.waiting - 1);
  }

  /** What a stage does with its oldest segment after a failed attempt. */
  afterFailure(): 'retry' | 'drop' {
    return this.waiting > this.limit ? 'drop' : 'retry';
  }
}

/**
 * The moment a segment is no longer worth sending (docs/design-notes.md, "Time budget": live deadline = factor x
 * segment duration after ingest). A segment that waits for its Livepeer stream past
 * this is dropped as `no-livepeer-stream`.
 */
export function liveDeadline(closedAt: number, durationMs: number, factor: number): number {
  return closedAt + Math.round(budgetedDurationMs(durationMs) * factor);
}
