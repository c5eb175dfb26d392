import { describe, expect, it } from 'vitest';
import { failureAction, type FailureAction, type PushFailure } from './delivery-decision';

/**
 * The broadcaster error policy of apps/worker/README.md ("Per job", step 3), row by row, for every
 * HTTP status a push can get and every kind of network failure: this is the table's test.
 */
const fresh = { cutByDeadline: false, detoured: false };
const status = (code: number): PushFailure => ({ kind: 'status', status: code, body: '' });

/** The table, as the README states it. */
function documented(code: number, detoured: boolean): FailureAction {
  if (code === 404) return 'switch'; // unknown stream on this broadcaster: another takes it
  if (code === 422 || code === 403) return detoured ? 'reject' : 'detour'; // one more opinion, then rejected
  if ([408, 425, 429].includes(code)) return 'switch'; // load or pace, not the request
  if (code >= 400 && code < 500) return 'reject'; // about the request: same answer anywhere
  return 'switch'; // 5xx (500 transcode error, 503 no sessions), and 1xx/2xx/3xx other than 200
}

describe('broadcaster error policy (every status)', () => {
  it('follows the table for every status from 100 to 599 but 200, first push and detour alike', () => {
    const codes = Array.from({ length: 500 }, (_, i) => i + 100).filter((c) => c !== 200);
    const differing = codes.flatMap((code) =>
      [false, true].flatMap((detoured) => {
        const actual = failureAction(status(code), { cutByDeadline: false, detoured });
        return actual === documented(code, detoured) ? [] : [`${code}${detoured ? ' (detoured)' : ''}: ${actual}`];
      }),
    );
    expect(differing).toEqual([]);
    // Spot checks of the rows people look up.
    expect([400, 405, 413, 415].map((c) => failureAction(status(c), fresh))).toEqual(Array(4).fill('reject'));
    // A refused auth hook is about that broadcaster opening the session: one other one is tried.
    expect(failureAction(status(403), fresh)).toBe('detour');
    expect([500, 502, 503, 504].map((c) => failureAction(status(c), fresh))).toEqual(Array(4).fill('switch'));
  });

  it('a 422 one broadcaster gives and another would not: pushed once elsewhere, first broadcaster not blamed', () => {
    // detour = push to one other broadcaster without moving the session or marking this one bad;
    // if that one answers 200 the segment is delivered; a second 422 rejects it.
    expect(failureAction(status(422), fresh)).toBe('detour');
    expect(failureAction(status(422), { cutByDeadline: false, detoured: true })).toBe('reject');
  });
});

describe('broadcaster error policy (network and other failures)', () => {
  it.each(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'UND_ERR_SOCKET', 'ETIMEDOUT', ''])(
    'network failure %s: the broadcaster (or the path to it) is at fault: switch',
    (code) => {
      expect(failureAction({ kind: 'network', code, message: 'x' }, fresh)).toBe('switch');
    },
  );

  it('a timeout: switch, unless the deadline shortened the limit (then no blame: wait)', () => {
    expect(failureAction({ kind: 'timeout', timeoutMs: 4000 }, fresh)).toBe('switch');
    expect(failureAction({ kind: 'timeout', timeoutMs: 900 }, { cutByDeadline: true })).toBe('wait');
  });

  it('an answer the protocol does not allow (multipart without boundary) or a cancelled push: switch', () => {
    expect(failureAction({ kind: 'protocol', message: 'no boundary' }, fresh)).toBe('switch');
    expect(failureAction({ kind: 'aborted' }, fresh)).toBe('switch');
  });

  it('the object store: wait (no broadcaster blamed), or lost when the object is gone', () => {
    expect(failureAction({ kind: 'source', message: 'S3 503', missing: false }, fresh)).toBe('wait');
    expect(failureAction({ kind: 'source', message: 'NoSuchKey', missing: true }, fresh)).toBe('lost');
  });
});
