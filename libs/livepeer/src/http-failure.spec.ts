import { classifyRequestError, describeHttpFailure, isRejection } from './http-failure';

describe('HTTP failure classifier', () => {
  it('tells timeouts, aborts and network errors apart, from fetch and from undici.request', () => {
    expect(classifyRequestError(Object.assign(new Error('t'), { name: 'TimeoutError' }), { timeoutMs: 300 })).toEqual({
      kind: 'timeout',
      timeoutMs: 300,
    });
    expect(classifyRequestError(Object.assign(new Error('h'), { code: 'UND_ERR_HEADERS_TIMEOUT' }), { timeoutMs: 4000 })).toEqual({
      kind: 'timeout',
      timeoutMs: 4000,
    });
    expect(classifyRequestError(new Error('aborted by us'), { timeoutMs: 50, timedOut: true })).toEqual({ kind: 'timeout', timeoutMs: 50 });
    expect(classifyRequestError(Object.assign(new Error('a'), { name: 'AbortError' }))).toEqual({ kind: 'aborted' });
    expect(classifyRequestError(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }))).toEqual({
      kind: 'network',
      code: 'UND_ERR_SOCKET',
      message: 'other side closed',
    });
    const fetchFailure = Object.assign(new TypeError('fetch failed'), {
      cause: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:1' },
    });
    expect(classifyRequestError(fetchFailure)).toEqual({
      kind: 'network',
      code: 'ECONNREFUSED',
      message: 'connect ECONNREFUSED 127.0.0.1:1',
    });
  });

  it('describes each kind in one line', () => {
    expect(describeHttpFailure({ kind: 'timeout', timeoutMs: 1500 })).toBe('timed out after 1500 ms');
    expect(describeHttpFailure({ kind: 'aborted' })).toBe('aborted');
    expect(describeHttpFailure({ kind: 'network', code: 'ECONNREFUSED', message: 'x' })).toBe('failed: ECONNREFUSED (x)');
    expect(describeHttpFailure({ kind: 'network', code: '', message: 'bad url' })).toBe('failed: bad url');
    expect(describeHttpFailure({ kind: 'status', status: 503, body: 'No sessions available\n' })).toBe('HTTP 503: No sessions available');
  });

  it('calls only the 4xx about the request a rejection', () => {
    for (const status of [400, 403, 404, 405, 413, 422]) expect(isRejection({ kind: 'status', status, body: '' })).toBe(true);
    for (const status of [408, 425, 429, 500, 503, 204, 302]) expect(isRejection({ kind: 'status', status, body: '' })).toBe(false);
    expect(isRejection({ kind: 'timeout', timeoutMs: 1 })).toBe(false);
  });
});
