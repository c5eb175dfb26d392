import fc from 'fast-check';
import {
  attemptTimeout,
  deadlineAt,
  describeFailure,
  dropReasonAtDeadline,
  failureAction,
  type PushFailure,
} from './retry-policy';

const budget = { uploadTimeoutFactor: 2, liveDeadlineFactor: 5 };
const full = { cutByDeadline: false };

describe('time budget', () => {
  it('puts the live deadline at factor x duration after ingest', () => {
    expect(deadlineAt({ ingestedAt: 1_000_000, durationMs: 2000 }, budget)).toBe(1_010_000);
    expect(deadlineAt({ ingestedAt: 1_000_000, durationMs: 1500 }, { ...budget, liveDeadlineFactor: 3 })).toBe(1_004_500);
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
        expect(t.timeoutMs).toBeLessThanOrEqual(Math.max(1, remaining));
        expect(t.timeoutMs).toBeLessThanOrEqual(2 * duration);
        expect(t.cutByDeadline).toBe(remaining < 2 * duration);
      }),
    );
  });
});

describe('failure policy', () => {
  const status = (s: number): PushFailure => ({ kind: 'status', status: s, body: 'x' });

  it('moves to another broadcaster on 5xx, 503 "No sessions available" and load-related 4xx', () => {
    for (const s of [500, 502, 503, 504, 408, 429]) expect(failureAction(status(s), full)).toBe('switch');
  });

  it('does not retry a 4xx about the request or the stream', () => {
    for (const s of [400, 403, 404, 405, 413, 422]) expect(failureAction(status(s), full)).toBe('reject');
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
    expect(describeFailure({ kind: 'timeout', timeoutMs: 4000 })).toBe('no answer within 4000 ms');
    expect(describeFailure({ kind: 'network', code: 'ECONNREFUSED', message: '' })).toBe('ECONNREFUSED');
  });
});
