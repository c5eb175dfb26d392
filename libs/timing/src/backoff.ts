/**
 * How long to wait before the next attempt at something that failed for a reason outside
 * the caller's control: exponential, capped, with jitter so many callers recovering together
 * do not retry in lockstep.
 */
export interface Backoff {
  initialMs: number;
  maxMs: number;
  /** multiplier per attempt (default 2) */
  factor?: number;
  /** fraction of the delay that is randomised, 0..1 (default 0.2) */
  jitter?: number;
}

/** Delay before attempt number `attempt + 1`, given `attempt` failures so far (1 = first failure). */
export function backoffDelay(attempt: number, backoff: Backoff, random: () => number = Math.random): number {
  const factor = backoff.factor ?? 2;
  const jitter = backoff.jitter ?? 0.2;
  const base = Math.min(backoff.maxMs, backoff.initialMs * factor ** Math.max(0, attempt - 1));
  const spread = base * jitter;
  return Math.round(base - spread + random() * 2 * spread);
}
