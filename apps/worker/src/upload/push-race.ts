import { sleep } from '@lib/timing';

/** A push that has started: who it went to, its outcome to come, and how to cancel it. */
export interface InFlightPush<By, Outcome> {
  by: By;
  outcome: Promise<Outcome>;
  abort(): void;
  /** When it started (the upload clock's ms). */
  startedAt: number;
}

/** The outcome if it comes within `ms`, else undefined (the promise goes on); no limit when `ms` is undefined. */
export async function settledWithin<T>(promise: Promise<T>, ms: number | undefined): Promise<T | undefined> {
  if (ms === undefined) return promise;
  const timer = new AbortController();
  try {
    return await Promise.race([promise, sleep(ms, timer.signal).then(() => undefined)]);
  } finally {
    timer.abort();
  }
}

/**
 * The first of two pushes whose outcome is a success; when both fail, the one that failed
 * last (its failure is the newest news about the segment).
 */
export async function firstSuccess<By, Outcome>(
  pushes: [InFlightPush<By, Outcome>, InFlightPush<By, Outcome>],
  isSuccess: (outcome: Outcome) => boolean,
): Promise<{ winner: InFlightPush<By, Outcome>; outcome: Outcome; loser: InFlightPush<By, Outcome> }> {
  const [a, b] = pushes;
  const tagged = pushes.map((push) => push.outcome.then((outcome) => ({ push, outcome })));
  const first = await Promise.race(tagged);
  const other = first.push === a ? b : a;
  if (isSuccess(first.outcome)) return { winner: first.push, outcome: first.outcome, loser: other };
  const second = await tagged[first.push === a ? 1 : 0];
  return { winner: second.push, outcome: second.outcome, loser: first.push };
}
