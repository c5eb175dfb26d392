import type { DropReason } from '@lib/database';
import { type HttpFailure, describeHttpFailure, isRejection } from '@lib/livepeer';
import { type TimeBudget, attemptTimeout, deadlineAt } from './upload-time-budget';

/**
 * One upload job as a state machine: the next step is a pure function of the state and of
 * what just happened, in the style of the stitcher's frontier `decide`. The runner
 * (UploadJobRunner) performs the steps (look-ups, pushes, pauses, ledger writes) and feeds
 * back what came of them; everything it decides on is here and unit-tested.
 */

/** Reading the segment from the object store failed: not the broadcaster's fault. */
export interface SourceFailure {
  kind: 'source';
  message: string;
  /** The object does not exist (nothing to retry). */
  missing: boolean;
}

/** Why one push did not succeed, as the uploader observed it. */
export type PushFailure = HttpFailure | SourceFailure;

/**
 * What to do after a failed push:
 * - `switch`: the broadcaster is at fault; mark it bad, move the session, retry at once elsewhere;
 * - `detour`: the answer may be this broadcaster's alone: push once to another one, without
 *   blaming this one or moving the session;
 * - `reject`: the request itself cannot succeed anywhere (a 4xx about the request or the
 *   segment): do not retry, record `broadcaster-rejected`;
 * - `wait`: our side failed (object store); retry after a pause, blame no broadcaster;
 * - `lost`: the segment's object is gone; nothing to retry.
 */
export type FailureAction = 'switch' | 'detour' | 'reject' | 'wait' | 'lost';

/**
 * The push-specific exceptions to the shared classifier (`isRejection`, which is right for the
 * API and the playlist hosts). Each is explained in the policy table of apps/worker/README.md.
 * - 404: the broadcaster does not know the stream (it restarted, or lost the session): a
 *   broadcaster fault, another one takes the stream.
 * - 422: the segment could not be probed or transcoded. Usually the segment, but a broadcaster
 *   with a broken transcoder says the same: one other broadcaster gets it (as MistServer's
 *   Livepeer process does), then it is rejected.
 * - 403: go-livepeer's "Could not create stream ID": its auth hook refused the stream or could not
 *   be asked (the API was down or restarted). That is about this broadcaster opening a new
 *   session; one that already holds the session pushes on without asking: one other broadcaster
 *   gets it, then it is rejected.
 */
const BROADCASTER_FAULT_STATUSES: ReadonlySet<number> = new Set([404]);
const RETRY_ONCE_ELSEWHERE_STATUSES: ReadonlySet<number> = new Set([403, 422]);

export function failureAction(failure: PushFailure, attempt: { cutByDeadline: boolean; detoured?: boolean }): FailureAction {
  switch (failure.kind) {
    case 'source':
      return failure.missing ? 'lost' : 'wait';
    case 'timeout':
      // A limit shortened by the deadline says nothing about the broadcaster; the loop ends
      // on the deadline anyway, so "wait" only avoids blaming it.
      return attempt.cutByDeadline ? 'wait' : 'switch';
    case 'status':
      if (BROADCASTER_FAULT_STATUSES.has(failure.status)) return 'switch';
      if (RETRY_ONCE_ELSEWHERE_STATUSES.has(failure.status)) return attempt.detoured ? 'reject' : 'detour';
      return isRejection(failure) ? 'reject' : 'switch';
    default:
      // 1xx/2xx/3xx other than 200 are a broadcaster that does not speak the protocol.
      return isRejection(failure) ? 'reject' : 'switch';
  }
}

/** One line for logs and the ledger's drop detail. */
export function describeFailure(failure: PushFailure): string {
  return failure.kind === 'source' ? `object store: ${failure.message}` : describeHttpFailure(failure);
}

/** How the job ends when it ends without a delivery, for the ledger's fixed list of reasons. */
export function dropReasonAtDeadline(lastFailure: PushFailure | undefined): 'deadline-exceeded' | 'storage-unavailable' {
  return lastFailure?.kind === 'source' ? 'storage-unavailable' : 'deadline-exceeded';
}

/** What the machine knows of one segment's delivery. */
export interface DeliveryState {
  ingestedAt: number;
  durationMs: number;
  objectKey: string;
  budget: TimeBudget;
  /** Broadcasters pushed to so far, in order. */
  tried: string[];
  lastFailure?: PushFailure;
  /** The broadcaster whose failure last moved the session (a move away from it is a push-failed reassignment). */
  lastFailedAddress?: string;
  /** The push the last attempt made; a failure's verdict depends on whether its limit was cut. */
  attempt?: { address: string; cutByDeadline: boolean };
  /** What follows the pause or move in progress. */
  resume?: { do: 'prepare' } | { do: 'push'; address: string };
  /**
   * A broadcaster the next look-ups go around without moving the session: the one that had
   * the segment (a repush), or the one whose answer is being checked elsewhere (a detour).
   */
  detourFrom?: string;
  /** The refusal a detour is checking; given as the drop when the detour refuses too, or has nowhere to go. */
  refusal?: { address: string; detail: string };
  /** The broadcaster whose late push was sent elsewhere as well (hedge-policy.ts): at most one hedge per segment. */
  hedgedFrom?: string;
}

/** A broadcaster the assignment look-up chose. */
export interface Choice {
  address: string;
  /** Every candidate failed recently. */
  degraded: boolean;
}

export type DeliveryEvent =
  /** The job began (its deadline may already be gone behind a backlog). */
  | { type: 'started'; now: number }
  /** The broadcaster look-up and the object open both ended. */
  | { type: 'prepared'; now: number; choice: Choice | null; source: { ok: true } | { ok: false; failure: SourceFailure } }
  /**
   * The push of the last `push` step ended; after a hedge, `address` says which of the two
   * answered (the winner, or the hedge's own failure when both failed) and `hedgedTo` where
   * the hedge went.
   */
  | ({ type: 'pushed'; now: number; ok: true } & PushedBy)
  | ({ type: 'pushed'; now: number; ok: false; failure: PushFailure } & PushedBy)
  /** The push in flight has not answered within its hedge delay (it goes on). */
  | { type: 'slow'; now: number }
  /** The pause or the move asked for is done. */
  | { type: 'resumed'; now: number };

interface PushedBy {
  address?: string;
  hedgedTo?: string;
}

/** Why the runner pauses (each has its own log line). */
export type PauseCause = 'source-failed' | 'no-broadcaster' | 'all-degraded' | 'interrupted';

export type DeliveryStep =
  /** Look up the session's broadcaster and open the object (both at once). */
  | { do: 'prepare' }
  /** Push to `address` with this read timeout. */
  | { do: 'push'; address: string; timeoutMs: number }
  /** Wait the retry interval (never past the deadline), then report `resumed`. */
  | { do: 'pause'; cause: PauseCause }
  /**
   * Move the session off `from` (its push is late) and push the segment to the broadcaster the
   * look-up then gives as well; report `pushed` for the first success (or both failures).
   */
  | { do: 'hedge'; from: string }
  /** Keep waiting for the push in flight; report `pushed`. */
  | { do: 'await' }
  /** Record `address`'s failure and move the session off it, then report `resumed`. */
  | { do: 'switch'; address: string; detail: string }
  /** The segment is delivered. */
  | { do: 'uploaded'; address: string }
  /** The segment is given up; `blame` is a broadcaster whose failure is recorded with it. */
  | { do: 'drop'; reason: DropReason; detail: string; blame?: string };

export interface Decision {
  state: DeliveryState;
  step: DeliveryStep;
}

export function initialState(
  segment: { ingestedAt: number; durationMs: number; objectKey: string },
  budget: TimeBudget,
  options: { detourFrom?: string } = {},
): DeliveryState {
  return { ingestedAt: segment.ingestedAt, durationMs: segment.durationMs, objectKey: segment.objectKey, budget, tried: [], ...options };
}

export function deadlineOf(state: DeliveryState): number {
  return deadlineAt(state, state.budget);
}

/** The ending at the deadline: the reason follows the last failure. */
function dropAtDeadline(state: DeliveryState): Decision {
  const last = state.lastFailure;
  const detail = `not delivered within ${deadlineOf(state) - state.ingestedAt} ms of ingest after ${state.tried.length} attempt(s)${
    last ? `; last: ${describeFailure(last)}` : ''
  }`;
  return { state, step: { do: 'drop', reason: dropReasonAtDeadline(last), detail } };
}

function push(state: DeliveryState, address: string, now: number): Decision {
  const timeout = attemptTimeout(state.durationMs, state.budget, deadlineOf(state) - now);
  return {
    state: { ...state, tried: [...state.tried, address], attempt: { address, cutByDeadline: timeout.cutByDeadline }, resume: undefined },
    step: { do: 'push', address, timeoutMs: timeout.timeoutMs },
  };
}

function pause(state: DeliveryState, cause: PauseCause, resume: DeliveryState['resume'] = { do: 'prepare' }): Decision {
  return { state: { ...state, resume }, step: { do: 'pause', cause } };
}

export function decide(state: DeliveryState, event: DeliveryEvent): Decision {
  const deadline = deadlineOf(state);
  switch (event.type) {
    case 'started':
      // Behind a backlog, a segment may be stale before it is looked at: drop it without
      // spending a look-up on it, so the fresh ones behind it catch up sooner.
      if (event.now >= deadline) {
        const detail = `reached a worker ${event.now - state.ingestedAt} ms after ingest, past its ${deadline - state.ingestedAt} ms deadline`;
        return { state, step: { do: 'drop', reason: 'deadline-exceeded', detail } };
      }
      return { state, step: { do: 'prepare' } };

    case 'resumed':
      if (event.now >= deadline) return dropAtDeadline(state);
      if (state.resume?.do === 'push') return push(state, state.resume.address, event.now);
      return { state: { ...state, resume: undefined }, step: { do: 'prepare' } };

    case 'prepared': {
      if (event.now >= deadline) return dropAtDeadline(state);
      if (!event.source.ok) {
        const failed = { ...state, lastFailure: event.source.failure };
        if (event.source.failure.missing) {
          return { state: failed, step: { do: 'drop', reason: 'storage-unavailable', detail: `object ${state.objectKey} is missing` } };
        }
        return pause(failed, 'source-failed');
      }
      if (!event.choice) {
        const lastFailure: PushFailure = { kind: 'network', code: 'NO_BROADCASTER', message: 'the Livepeer API offers no broadcaster' };
        return pause({ ...state, lastFailure }, 'no-broadcaster');
      }
      // A detour with nowhere else to go: the refusal stands.
      if (state.refusal && event.choice.address === state.refusal.address) {
        const detail = `${state.refusal.address}: ${state.refusal.detail} (no other broadcaster to try)`;
        return { state, step: { do: 'drop', reason: 'broadcaster-rejected', detail } };
      }
      // Every broadcaster failed recently: pause between tries instead of hammering them.
      if (event.choice.degraded && state.tried.length > 0) {
        return pause(state, 'all-degraded', { do: 'push', address: event.choice.address });
      }
      return push(state, event.choice.address, event.now);
    }

    case 'slow': {
      const address = state.attempt?.address ?? state.tried[state.tried.length - 1];
      // One hedge per segment; a detour is already the check elsewhere; past the deadline the
      // push in flight is the last chance.
      if (state.hedgedFrom !== undefined || state.refusal || event.now >= deadline) return { state, step: { do: 'await' } };
      return { state: { ...state, hedgedFrom: address }, step: { do: 'hedge', from: address } };
    }

    case 'pushed': {
      const tried = event.hedgedTo && !state.tried.includes(event.hedgedTo) ? [...state.tried, event.hedgedTo] : state.tried;
      const address = event.address ?? state.attempt?.address ?? tried[tried.length - 1];
      if (event.ok) return { state: { ...state, tried }, step: { do: 'uploaded', address } };
      const failed = { ...state, tried, lastFailure: event.failure };
      const detail = describeFailure(event.failure);
      switch (
        failureAction(event.failure, { cutByDeadline: state.attempt?.cutByDeadline ?? false, detoured: state.refusal !== undefined })
      ) {
        case 'detour':
          if (event.now >= deadline) return dropAtDeadline(failed);
          return {
            state: { ...failed, detourFrom: address, refusal: { address, detail }, resume: undefined },
            step: { do: 'prepare' },
          };
        case 'switch':
          // At once, on the broadcaster the next look-up picks (the failed one is then avoided).
          return { state: { ...failed, lastFailedAddress: address, resume: { do: 'prepare' } }, step: { do: 'switch', address, detail } };
        case 'reject':
          return { state: failed, step: { do: 'drop', reason: 'broadcaster-rejected', detail: `${address}: ${detail}`, blame: address } };
        case 'lost':
          return { state: failed, step: { do: 'drop', reason: 'storage-unavailable', detail } };
        case 'wait':
          return pause(failed, 'interrupted');
      }
    }
  }
}
