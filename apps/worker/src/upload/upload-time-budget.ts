/**
 * The worker's time budget (docs/architecture.md, "Time budget"). Everything is a factor of
 * the segment's own duration, so 1 s and 4 s segments get the same treatment as 2 s ones
 * (a shorter one, the end of a publish, that of 1 s: @lib/timing budgetedDurationMs).
 */
import { budgetedDurationMs } from '@lib/timing';

export interface TimeBudget {
  /** Broadcaster read timeout = factor x segment duration (default 2). */
  uploadTimeoutFactor: number;
  /** Live deadline = factor x segment duration after ingest (default 5). */
  liveDeadlineFactor: number;
}

/** Epoch ms after which a segment is no use to a live viewer and is dropped. */
export function deadlineAt(segment: { ingestedAt: number; durationMs: number }, budget: TimeBudget): number {
  return segment.ingestedAt + Math.round(budget.liveDeadlineFactor * budgetedDurationMs(segment.durationMs));
}

export interface AttemptTimeout {
  /** How long this attempt may take, end to end (request sent -> response read). */
  timeoutMs: number;
  /**
   * True when the deadline, not the read timeout, set the limit. A broadcaster that
   * misses such a shortened limit is not blamed: it was given less than its due.
   */
  cutByDeadline: boolean;
}

/** The read timeout of one attempt: factor x duration, never past the live deadline. */
export function attemptTimeout(durationMs: number, budget: TimeBudget, remainingMs: number): AttemptTimeout {
  const full = Math.round(budget.uploadTimeoutFactor * budgetedDurationMs(durationMs));
  if (remainingMs < full) return { timeoutMs: Math.max(1, Math.floor(remainingMs)), cutByDeadline: true };
  return { timeoutMs: full, cutByDeadline: false };
}
