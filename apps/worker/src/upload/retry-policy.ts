/**
 * The worker's time budget and failure policy, as pure functions (design: "Time budget").
 * Everything is a factor of the segment's own duration, so 1 s and 4 s segments get the
 * same treatment as 2 s ones.
 */

export interface TimeBudget {
  /** Broadcaster read timeout = factor x segment duration (default 2). */
  uploadTimeoutFactor: number;
  /** Live deadline = factor x segment duration after ingest (default 5). */
  liveDeadlineFactor: number;
}

/** Epoch ms after which a segment is no use to a live viewer and is dropped. */
export function deadlineAt(segment: { ingestedAt: number; durationMs: number }, budget: TimeBudget): number {
  return segment.ingestedAt + Math.round(budget.liveDeadlineFactor * segment.durationMs);
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
  const full = Math.round(budget.uploadTimeoutFactor * durationMs);
  if (remainingMs < full) return { timeoutMs: Math.max(1, Math.floor(remainingMs)), cutByDeadline: true };
  return { timeoutMs: full, cutByDeadline: false };
}

/** Why one push did not succeed, as the uploader observed it. */
export type PushFailure =
  /** The broadcaster answered with a status other than 200. */
  | { kind: 'status'; status: number; body: string }
  /** No complete answer within the attempt's timeout. */
  | { kind: 'timeout'; timeoutMs: number }
  /** Connection refused/reset, DNS, TLS, socket closed mid-answer... */
  | { kind: 'network'; code: string; message: string }
  /** 200 but an answer the protocol does not allow (a multipart push without a boundary, a cut body). */
  | { kind: 'protocol'; message: string }
  /** Reading the segment from the object store failed: not the broadcaster's fault. */
  | { kind: 'source'; message: string; missing: boolean };

/**
 * What to do after a failed push:
 * - `switch`: the broadcaster is at fault; mark it bad, move the session, retry at once elsewhere;
 * - `reject`: the request itself cannot succeed anywhere (a 4xx about the stream or the
 *   segment): do not retry, record `broadcaster-rejected`;
 * - `wait`: our side failed (object store); retry after a pause, blame no broadcaster;
 * - `lost`: the segment's object is gone; nothing to retry.
 */
export type FailureAction = 'switch' | 'reject' | 'wait' | 'lost';

/**
 * 408 and 429 are about the broadcaster's load or pace, not the request, so another broadcaster
 * may well take it. 400/403/405/413/422 (reference §2.2) describe the segment or the stream and
 * would be answered the same way by every broadcaster of this Livepeer network.
 */
const RETRYABLE_4XX = new Set([408, 425, 429]);

export function failureAction(failure: PushFailure, attempt: { cutByDeadline: boolean }): FailureAction {
  switch (failure.kind) {
    case 'source':
      return failure.missing ? 'lost' : 'wait';
    case 'status':
      if (failure.status >= 500 || RETRYABLE_4XX.has(failure.status)) return 'switch';
      if (failure.status >= 400) return 'reject';
      // 1xx/2xx/3xx other than 200: a broadcaster that does not speak the protocol.
      return 'switch';
    case 'timeout':
      // A limit shortened by the deadline says nothing about the broadcaster; the loop ends
      // on the deadline anyway, so "wait" only avoids blaming it.
      return attempt.cutByDeadline ? 'wait' : 'switch';
    case 'network':
    case 'protocol':
      return 'switch';
  }
}

/** One line for logs and the ledger's drop detail. */
export function describeFailure(failure: PushFailure): string {
  switch (failure.kind) {
    case 'status':
      return `HTTP ${failure.status}${failure.body ? `: ${failure.body.trim().slice(0, 300)}` : ''}`;
    case 'timeout':
      return `no answer within ${failure.timeoutMs} ms`;
    case 'network':
      return `${failure.code}${failure.message ? ` (${failure.message})` : ''}`;
    case 'protocol':
      return `bad answer: ${failure.message}`;
    case 'source':
      return `object store: ${failure.message}`;
  }
}

/** How the job ended when it ends without a delivery, for the ledger's fixed list of reasons. */
export function dropReasonAtDeadline(lastFailure: PushFailure | undefined): 'deadline-exceeded' | 'storage-unavailable' {
  return lastFailure?.kind === 'source' ? 'storage-unavailable' : 'deadline-exceeded';
}
