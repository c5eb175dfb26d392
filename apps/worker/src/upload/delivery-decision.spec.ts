import { budgetedDurationMs } from '@lib/timing';
import fc from 'fast-check';
import {
  type DeliveryEvent,
  type DeliveryState,
  type PushFailure,
  decide,
  describeFailure,
  dropReasonAtDeadline,
  failureAction,
  initialState,
} from './delivery-decision';
import { attemptTimeout, deadlineAt } from './upload-time-budget';

const budget = { uploadTimeoutFactor: 2, liveDeadlineFactor: 5 };
const full = { cutByDeadline: false };

describe('time budget', () => {
  it('puts the live deadline at factor x duration after ingest', () => {
    expect(deadlineAt({ ingestedAt: 1_000_000, durationMs: 2000 }, budget)).toBe(1_010_000);
    expect(deadlineAt({ ingestedAt: 1_000_000, durationMs: 1500 }, { ...budget, liveDeadlineFactor: 3 })).toBe(1_004_500);
    // The partial segment a publish ends with gets a second's budget, not 5 x its 300 ms.
    expect(deadlineAt({ ingestedAt: 1_000_000, durationMs: 300 }, budget)).toBe(1_005_000);
    expect(attemptTimeout(300, budget, 60_000).timeoutMs).toBe(2000);
  });

  it('gives an attempt factor x duration while the deadline is further away', () => {
    expect(attemptTimeout(2000, budget, 9000)).toEqual({ timeoutMs: 4000, cutByDeadline: false });
    expect(attemptTimeout(2000, budget, 4000)).toEqual({ timeoutMs: 4000, cutByDeadline: false });
  });

  it('never lets an attempt run past the deadline, and says so', () => {
    expect(attemptTimeout(2000, budget, 1500)).toEqual({ timeoutMs: 1500, cutByDeadline: true });
    expect(attemptTimeout(2000, budget, 0.2).timeoutMs).toBe(1);
  });

  it('keeps every attempt within both limits (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 10_000 }), fc.integer({ min: 1, max: 60_000 }), (duration, remaining) => {
        const t = attemptTimeout(duration, budget, remaining);
        // A segment shorter than a second is budgeted as one (budgetedDurationMs).
        const budgeted = budgetedDurationMs(duration);
        expect(t.timeoutMs).toBeLessThanOrEqual(Math.max(1, remaining));
        expect(t.timeoutMs).toBeLessThanOrEqual(2 * budgeted);
        expect(t.cutByDeadline).toBe(remaining < 2 * budgeted);
      }),
    );
  });
});

describe('failure policy', () => {
  const status = (s: number): PushFailure => ({ kind: 'status', status: s, body: 'x' });

  it('moves to another broadcaster on 5xx, 503 "No sessions available" and load-related 4xx', () => {
    for (const s of [500, 502, 503, 504, 408, 429]) expect(failureAction(status(s), full)).toBe('switch');
  });

  it('does not retry a 4xx about the request or the segment', () => {
    for (const s of [400, 405, 413, 415]) expect(failureAction(status(s), full)).toBe('reject');
  });

  it('tries a 403 (the auth hook refused this broadcaster the stream) once on one other broadcaster, then rejects it', () => {
    expect(failureAction(status(403), full)).toBe('detour');
    expect(failureAction(status(403), { ...full, detoured: true })).toBe('reject');
  });

  it('moves on a 404 (the broadcaster does not know the stream) like on a 5xx', () => {
    expect(failureAction(status(404), full)).toBe('switch');
  });

  it('tries a 422 once on one other broadcaster, then rejects it', () => {
    expect(failureAction(status(422), full)).toBe('detour');
    expect(failureAction(status(422), { ...full, detoured: true })).toBe('reject');
  });

  it('treats a broadcaster that answers outside the protocol as failed', () => {
    expect(failureAction(status(204), full)).toBe('switch');
    expect(failureAction({ kind: 'protocol', message: 'no boundary' }, full)).toBe('switch');
  });

  it('moves on network errors and on timeouts of a full read timeout', () => {
    expect(failureAction({ kind: 'network', code: 'ECONNREFUSED', message: '' }, full)).toBe('switch');
    expect(failureAction({ kind: 'network', code: 'UND_ERR_SOCKET', message: 'other side closed' }, full)).toBe('switch');
    expect(failureAction({ kind: 'timeout', timeoutMs: 4000 }, full)).toBe('switch');
  });

  it('does not blame a broadcaster for a limit the deadline cut short', () => {
    expect(failureAction({ kind: 'timeout', timeoutMs: 300 }, { cutByDeadline: true })).toBe('wait');
  });

  it('never blames a broadcaster for the object store', () => {
    expect(failureAction({ kind: 'source', message: 'ECONNRESET', missing: false }, full)).toBe('wait');
    expect(failureAction({ kind: 'source', message: 'NoSuchKey', missing: true }, full)).toBe('lost');
  });

  it('names the reason of a deadline drop after the last failure', () => {
    expect(dropReasonAtDeadline(undefined)).toBe('deadline-exceeded');
    expect(dropReasonAtDeadline(status(503))).toBe('deadline-exceeded');
    expect(dropReasonAtDeadline({ kind: 'source', message: 'down', missing: false })).toBe('storage-unavailable');
  });

  it('describes failures in one line with the status and the body', () => {
    expect(describeFailure({ kind: 'status', status: 422, body: 'Cannot probe codec\n' })).toBe('HTTP 422: Cannot probe codec');
    expect(describeFailure({ kind: 'timeout', timeoutMs: 4000 })).toBe('timed out after 4000 ms');
    expect(describeFailure({ kind: 'network', code: 'ECONNREFUSED', message: '' })).toBe('failed: ECONNREFUSED');
    expect(describeFailure({ kind: 'source', message: 'NoSuchKey', missing: true })).toBe('object store: NoSuchKey');
  });
});

describe('decide: the upload job as a state machine', () => {
  const T0 = 1_000_000;
  const segment = { ingestedAt: T0, durationMs: 2000, objectKey: 'segments/s/3.ts' };
  const start = () => initialState(segment, budget);
  const deadline = T0 + 10_000;
  const ok = { ok: true } as const;
  const prepared = (now: number, address: string | null, degraded = false): DeliveryEvent => ({
    type: 'prepared',
    now,
    choice: address ? { address, degraded } : null,
    source: ok,
  });

  it('drops a job that reaches the worker after its deadline without a look-up', () => {
    const { step } = decide(start(), { type: 'started', now: deadline + 5 });
    expect(step).toEqual({
      do: 'drop',
      reason: 'deadline-exceeded',
      detail: 'reached a worker 10005 ms after ingest, past its 10000 ms deadline',
    });
    expect(decide(start(), { type: 'started', now: T0 + 100 }).step).toEqual({ do: 'prepare' });
  });

  it('pushes to the chosen broadcaster with the full read timeout, then reports the upload', () => {
    const pushed = decide(start(), prepared(T0 + 100, 'http://b1'));
    expect(pushed.step).toEqual({ do: 'push', address: 'http://b1', timeoutMs: 4000 });
    expect(pushed.state.tried).toEqual(['http://b1']);
    expect(decide(pushed.state, { type: 'pushed', now: T0 + 900, ok: true }).step).toEqual({ do: 'uploaded', address: 'http://b1' });
  });

  it('fails over: a 503 moves the session, the next look-up pushes elsewhere at once', () => {
    let d = decide(start(), prepared(T0 + 100, 'http://b1'));
    d = decide(d.state, {
      type: 'pushed',
      now: T0 + 200,
      ok: false,
      failure: { kind: 'status', status: 503, body: 'No sessions available' },
    });
    expect(d.step).toEqual({ do: 'switch', address: 'http://b1', detail: 'HTTP 503: No sessions available' });
    expect(d.state.lastFailedAddress).toBe('http://b1');
    d = decide(d.state, { type: 'resumed', now: T0 + 210 });
    expect(d.step).toEqual({ do: 'prepare' });
    d = decide(d.state, prepared(T0 + 220, 'http://b2'));
    expect(d.step).toMatchObject({ do: 'push', address: 'http://b2' });
    expect(d.state.tried).toEqual(['http://b1', 'http://b2']);
  });

  it('hedges a late push once: the session moves, the winner is delivered and both are counted in tried', () => {
    let d = decide(start(), prepared(T0 + 100, 'http://b1'));
    d = decide(d.state, { type: 'slow', now: T0 + 1100 });
    expect(d.step).toEqual({ do: 'hedge', from: 'http://b1' });
    expect(d.state.hedgedFrom).toBe('http://b1');
    // A second late answer in the same job waits for what is in flight.
    expect(decide(d.state, { type: 'slow', now: T0 + 1200 }).step).toEqual({ do: 'await' });
    const won = decide(d.state, { type: 'pushed', now: T0 + 1300, ok: true, address: 'http://b2', hedgedTo: 'http://b2' });
    expect(won.step).toEqual({ do: 'uploaded', address: 'http://b2' });
    expect(won.state.tried).toEqual(['http://b1', 'http://b2']);
    const lost = decide(d.state, { type: 'pushed', now: T0 + 1300, ok: true, address: 'http://b1', hedgedTo: 'http://b2' });
    expect(lost.step).toEqual({ do: 'uploaded', address: 'http://b1' });
    expect(lost.state.tried).toEqual(['http://b1', 'http://b2']);
  });

  it('after a hedge where both failed, switches away from the hedge target like any failure', () => {
    let d = decide(start(), prepared(T0 + 100, 'http://b1'));
    d = decide(d.state, { type: 'slow', now: T0 + 1100 });
    d = decide(d.state, {
      type: 'pushed',
      now: T0 + 1500,
      ok: false,
      failure: { kind: 'status', status: 503, body: 'busy' },
      address: 'http://b2',
      hedgedTo: 'http://b2',
    });
    expect(d.step).toEqual({ do: 'switch', address: 'http://b2', detail: 'HTTP 503: busy' });
    expect(d.state.tried).toEqual(['http://b1', 'http://b2']);
  });

  it('does not hedge a detour or past the deadline', () => {
    let d = decide(start(), prepared(T0 + 100, 'http://b1'));
    expect(decide(d.state, { type: 'slow', now: deadline }).step).toEqual({ do: 'await' });
    d = decide(d.state, { type: 'pushed', now: T0 + 200, ok: false, failure: { kind: 'status', status: 422, body: 'bad' } });
    d = decide(d.state, prepared(T0 + 210, 'http://b2'));
    expect(decide(d.state, { type: 'slow', now: T0 + 1300 }).step).toEqual({ do: 'await' });
  });

  it('drops on a 4xx about the request, blaming the broadcaster, with no second push', () => {
    let d = decide(start(), prepared(T0 + 100, 'http://b1'));
    d = decide(d.state, { type: 'pushed', now: T0 + 200, ok: false, failure: { kind: 'status', status: 413, body: 'too large' } });
    expect(d.step).toEqual({ do: 'drop', reason: 'broadcaster-rejected', detail: 'http://b1: HTTP 413: too large', blame: 'http://b1' });
  });

  it('takes a 422 once around the broadcaster that said it, then drops on the second', () => {
    const refused = {
      type: 'pushed',
      now: T0 + 200,
      ok: false,
      failure: { kind: 'status', status: 422, body: 'Cannot probe codec' },
    } as const;
    let d = decide(start(), prepared(T0 + 100, 'http://b1'));
    d = decide(d.state, refused);
    expect(d.step).toEqual({ do: 'prepare' });
    expect(d.state.detourFrom).toBe('http://b1');
    d = decide(d.state, prepared(T0 + 210, 'http://b2'));
    expect(d.step).toMatchObject({ do: 'push', address: 'http://b2' });
    d = decide(d.state, { ...refused, now: T0 + 300 });
    expect(d.step).toEqual({
      do: 'drop',
      reason: 'broadcaster-rejected',
      detail: 'http://b2: HTTP 422: Cannot probe codec',
      blame: 'http://b2',
    });
  });

  it('drops a 422 when no other broadcaster is there to try', () => {
    let d = decide(start(), prepared(T0 + 100, 'http://b1'));
    d = decide(d.state, { type: 'pushed', now: T0 + 200, ok: false, failure: { kind: 'status', status: 422, body: 'Cannot probe codec' } });
    d = decide(d.state, prepared(T0 + 210, 'http://b1'));
    expect(d.step).toEqual({
      do: 'drop',
      reason: 'broadcaster-rejected',
      detail: 'http://b1: HTTP 422: Cannot probe codec (no other broadcaster to try)',
    });
    expect(d.state.tried).toEqual(['http://b1']);
  });

  it('drops a missing object at once and waits out an object store failure', () => {
    const missing = decide(start(), {
      type: 'prepared',
      now: T0 + 1,
      choice: { address: 'http://b1', degraded: false },
      source: { ok: false, failure: { kind: 'source', message: 'NoSuchKey', missing: true } },
    });
    expect(missing.step).toEqual({ do: 'drop', reason: 'storage-unavailable', detail: 'object segments/s/3.ts is missing' });
    const down = decide(start(), {
      type: 'prepared',
      now: T0 + 1,
      choice: null,
      source: { ok: false, failure: { kind: 'source', message: 'ECONNREFUSED', missing: false } },
    });
    expect(down.step).toEqual({ do: 'pause', cause: 'source-failed' });
    const atDeadline = decide(down.state, { type: 'resumed', now: deadline });
    expect(atDeadline.step).toMatchObject({ do: 'drop', reason: 'storage-unavailable' });
  });

  it('pauses before pushing again when every broadcaster failed recently, and not on the first try', () => {
    expect(decide(start(), prepared(T0 + 1, 'http://b1', true)).step).toMatchObject({ do: 'push' });
    let d = decide(start(), prepared(T0 + 1, 'http://b1'));
    d = decide(d.state, { type: 'pushed', now: T0 + 2, ok: false, failure: { kind: 'network', code: 'ECONNRESET', message: '' } });
    d = decide(d.state, { type: 'resumed', now: T0 + 3 });
    d = decide(d.state, prepared(T0 + 4, 'http://b1', true));
    expect(d.step).toEqual({ do: 'pause', cause: 'all-degraded' });
    expect(decide(d.state, { type: 'resumed', now: T0 + 300 }).step).toMatchObject({ do: 'push', address: 'http://b1' });
    expect(decide(d.state, { type: 'resumed', now: deadline }).step).toMatchObject({ do: 'drop', reason: 'deadline-exceeded' });
  });

  it('does not blame a broadcaster whose limit the deadline cut short', () => {
    let d = decide(start(), prepared(deadline - 300, 'http://b1'));
    expect(d.step).toEqual({ do: 'push', address: 'http://b1', timeoutMs: 300 });
    d = decide(d.state, { type: 'pushed', now: deadline - 1, ok: false, failure: { kind: 'timeout', timeoutMs: 300 } });
    expect(d.step).toEqual({ do: 'pause', cause: 'interrupted' });
  });

  it('says how many attempts a deadline drop made and what failed last', () => {
    let d = decide(start(), prepared(T0 + 1, 'http://b1'));
    d = decide(d.state, { type: 'pushed', now: T0 + 2, ok: false, failure: { kind: 'status', status: 503, body: '' } });
    d = decide(d.state, { type: 'resumed', now: deadline + 1 });
    expect(d.step).toEqual({
      do: 'drop',
      reason: 'deadline-exceeded',
      detail: 'not delivered within 10000 ms of ingest after 1 attempt(s); last: HTTP 503',
    });
  });

  /** Random runs: whatever broadcasters answer, a push never outlives the deadline and every run ends. */
  it('never pushes past the deadline, counts every push in tried, and starts nothing past the deadline (property)', () => {
    const failure = fc.oneof(
      fc.constantFrom(500, 503, 408, 429, 400, 404, 422, 204).map((status): PushFailure => ({ kind: 'status', status, body: '' })),
      fc.constant<PushFailure>({ kind: 'timeout', timeoutMs: 4000 }),
      fc.constant<PushFailure>({ kind: 'network', code: 'ECONNRESET', message: '' }),
      fc.boolean().map((missing): PushFailure => ({ kind: 'source', message: 'x', missing })),
    );
    const answer = fc.record({
      elapsed: fc.integer({ min: 0, max: 5000 }),
      ok: fc.boolean(),
      failure,
      address: fc.constantFrom('a', 'b', 'c', null),
      degraded: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(answer, { maxLength: 60 }), (answers) => {
        let now = T0;
        let state: DeliveryState = start();
        let d = decide(state, { type: 'started', now });
        let pushes = 0;
        for (const a of answers) {
          state = d.state;
          const step = d.step;
          if (step.do === 'drop' || step.do === 'uploaded') break;
          now += a.elapsed;
          if (step.do === 'push') {
            expect(now - a.elapsed + step.timeoutMs).toBeLessThanOrEqual(Math.max(deadline, now - a.elapsed + 1));
            pushes++;
            const failure = a.failure.kind === 'source' ? ({ kind: 'network', code: 'EPIPE', message: '' } as const) : a.failure;
            d = decide(state, a.ok ? { type: 'pushed', now, ok: true } : { type: 'pushed', now, ok: false, failure });
          } else if (step.do === 'prepare') {
            const source = a.failure.kind === 'source' ? { ok: false as const, failure: a.failure } : ok;
            d = decide(state, { type: 'prepared', now, choice: a.address ? { address: a.address, degraded: a.degraded } : null, source });
          } else {
            d = decide(state, { type: 'resumed', now });
          }
          expect(d.state.tried.length).toBe(pushes + (d.step.do === 'push' ? 1 : 0));
          // Past the deadline nothing new starts: the run records what happened and ends.
          if (now >= deadline) expect(['push', 'prepare']).not.toContain(d.step.do);
        }
      }),
    );
  });
});
