import type { DeliveryStep } from '../upload/delivery-decision';
import type { TimeBudget } from '../upload/upload-time-budget';

/**
 * When a worker stops waiting for broadcasters and transcodes a segment itself
 * (`FALLBACK_TRANSCODE=local`). Pure: the runner asks before it performs each step.
 *
 * - `no-broadcaster`: the look-up found none (the API lists none, or is down with nothing
 *   cached), or every broadcaster failed recently and this segment already failed on one:
 *   waiting for the retry interval would only spend the deadline.
 * - `deadline`: the broadcasters' share of the deadline is gone (the decision machine runs on a
 *   budget shortened by the local transcode's reserve and drops at its end).
 *
 * A rejection (the segment itself is bad), a missing object or a store error never falls back:
 * ffmpeg would fail the same way, or there is nothing to transcode.
 */
export type FallbackTrigger = 'no-broadcaster' | 'deadline';

export function fallbackTrigger(step: DeliveryStep): FallbackTrigger | undefined {
  if (step.do === 'pause' && (step.cause === 'no-broadcaster' || step.cause === 'all-degraded')) return 'no-broadcaster';
  if (step.do === 'drop' && step.reason === 'deadline-exceeded') return 'deadline';
  return undefined;
}

/**
 * The budget broadcasters get when the fallback is on: the live deadline less `reserveFactor`
 * segment durations, kept for the local transcode. Never below one read timeout, so a healthy
 * broadcaster always has a full attempt.
 */
export function broadcasterBudget(budget: TimeBudget, reserveFactor: number): TimeBudget {
  return { ...budget, liveDeadlineFactor: Math.max(budget.uploadTimeoutFactor, budget.liveDeadlineFactor - reserveFactor) };
}
