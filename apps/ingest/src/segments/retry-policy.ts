/**
 * How long to wait before the next attempt at something that failed for a reason
 * outside our control (object store, Redis, Livepeer API): exponential, capped, with
 * jitter so many publishes recovering together do not retry in lockstep.
 */
export interface Backoff {
  initialMs: number;
  maxMs: number;
  /** multiplier per attempt (default 2) */
  factor?: number;
  /** fraction of the delay that is randomised, 0..1 (default 0.2) */
  jitter?: number;
}

/** Object store and queue: short outages are the expected case, so retry quickly. */
export const INFRA_RETRY: Backoff = { initialMs: 200, maxMs: 2000 };

/** Livepeer API: a remote service; back off further, but keep trying while the publish lasts. */
export const LIVEPEER_RETRY: Backoff = { initialMs: 500, maxMs: 10_000 };

/** Delay before attempt number `attempt + 1`, given `attempt` failures so far (1 = first failure). */
export function backoffDelay(attempt: number, backoff: Backoff, random: () => number = Math.random): number {
  const factor = backoff.factor ?? 2;
  const jitter = backoff.jitter ?? 0.2;
  const base = Math.min(backoff.maxMs, backoff.initialMs * factor ** Math.max(0, attempt - 1));
  const spread = base * jitter;
  return Math.round(base - spread + random() * 2 * spread);
}

/** Resolves after `ms`, or at once (false) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Rejects with `what timed out` when `work` takes longer than `ms` (the work itself is not cancelled). */
export async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
