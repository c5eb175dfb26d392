/**
 * The one description of how an HTTP exchange with a Livepeer API, a broadcaster or an
 * upstream playlist host went wrong, for every caller (worker pushes, the API client,
 * the stitcher's bounded fetches): what happened, whether another try (elsewhere) can
 * help, and one line for logs and the ledger.
 */
export type HttpFailure =
  /** The server answered with a status the caller did not want. */
  | { kind: 'status'; status: number; body: string }
  /** No complete answer within the time limit. */
  | { kind: 'timeout'; timeoutMs: number }
  /** The caller's own signal cancelled the request. */
  | { kind: 'aborted' }
  /** Connection refused/reset, DNS, TLS, socket closed mid-answer... */
  | { kind: 'network'; code: string; message: string }
  /** A success status with an answer the protocol does not allow (a multipart answer without a boundary). */
  | { kind: 'protocol'; message: string };

/** undici's own time limits (request(), not fetch()): the same as our timer firing. */
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/**
 * What a thrown request error (fetch or undici.request) means. `timedOut` is set by a caller
 * whose own timer aborted the request; AbortSignal.timeout() is recognised by its error name.
 * undici hides the useful part of a fetch failure (ECONNREFUSED, ECONNRESET...) in `cause`.
 */
export function classifyRequestError(err: unknown, limit: { timeoutMs?: number; timedOut?: boolean } = {}): HttpFailure {
  const e = err as { name?: string; code?: string; message?: string; cause?: { code?: string; message?: string } } | undefined;
  const timeout: HttpFailure = { kind: 'timeout', timeoutMs: limit.timeoutMs ?? 0 };
  if (limit.timedOut || e?.name === 'TimeoutError' || TIMEOUT_CODES.has(e?.code ?? '')) return timeout;
  if (e?.name === 'AbortError') return { kind: 'aborted' };
  if (e?.code) return { kind: 'network', code: e.code, message: e.message ?? '' };
  if (e?.cause?.code) return { kind: 'network', code: e.cause.code, message: e.cause.message ?? '' };
  return { kind: 'network', code: '', message: e?.message ?? String(err) };
}

/**
 * 408, 425 and 429 are about the server's load or pace, not the request, so another try (on
 * another broadcaster) may well succeed; other 4xx describe the request, the stream or the
 * segment and would be answered the same way anywhere.
 */
const RETRYABLE_4XX = new Set([408, 425, 429]);

/** True when no retry can help: the request itself was refused. Anything else is worth another try. */
export function isRejection(failure: HttpFailure): boolean {
  return failure.kind === 'status' && failure.status >= 400 && failure.status < 500 && !RETRYABLE_4XX.has(failure.status);
}

/**
 * A broadcaster's answer when it takes no new session: go-livepeer's and livepeer-local's
 * "Too many sessions" (500, livepeer-local adds `(max N)`), read from describeHttpFailure's line
 * (the workers record that line per broadcaster). Only new sessions are refused so; the ones it
 * holds go on, so it is no sign of a broken broadcaster.
 */
export function sessionLimitAnswer(description: string | undefined): { max?: number } | null {
  const tooMany = description ? /too many sessions(?:\s*\(max (\d+)\))?/i.exec(description) : null;
  return tooMany ? { max: tooMany[1] ? Number(tooMany[1]) : undefined } : null;
}

/** One line for logs, errors and the ledger's drop detail. */
export function describeHttpFailure(failure: HttpFailure): string {
  switch (failure.kind) {
    case 'status':
      return `HTTP ${failure.status}${failure.body ? `: ${failure.body.trim().slice(0, 300)}` : ''}`;
    case 'timeout':
      return `timed out after ${failure.timeoutMs} ms`;
    case 'aborted':
      return 'aborted';
    case 'network':
      return `failed: ${failure.code || failure.message}${failure.code && failure.message ? ` (${failure.message})` : ''}`;
    case 'protocol':
      return `bad answer: ${failure.message}`;
  }
}
