/** The error of work that did not finish in time; `what` names the work in the message. */
export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
  constructor(
    readonly what: string,
    readonly ms: number,
  ) {
    super(`${what} timed out after ${ms} ms`);
  }
}

export interface TimeoutOptions<T> {
  /**
   * Called with the value of work that finishes after the time limit (nobody awaits it any
   * more): the place to release what it opened, e.g. destroy a stream.
   */
  onLate?: (value: T) => void;
}

/**
 * `work`, or a TimeoutError naming `what` once `ms` have passed. The work itself is not
 * cancelled (pass it an AbortSignal for that); a late result goes to `onLate`.
 */
export async function withTimeout<T>(work: Promise<T>, ms: number, what: string, options: TimeoutOptions<T> = {}): Promise<T> {
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  work.then(
    (value) => timedOut && options.onLate?.(value),
    () => undefined,
  );
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          timedOut = true;
          reject(new TimeoutError(what, ms));
        }, ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
