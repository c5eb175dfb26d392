/**
 * The broadcaster push request (docs/livepeer-protocol.md §2.2, go-livepeer HandlePush), as ingest
 * accepts it: `PUT` (or `POST`) `/live/{streamKey}/{seq}.ts`, raw MPEG-TS body,
 * `Content-Duration` in integer milliseconds, `Content-Resolution` as WIDTHxHEIGHT.
 * Errors are answered as go-livepeer does: a status and a text/plain message.
 */
export class PushError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Counted in the refusal metric under this reason, if any. */
    readonly refusal?: string,
    /** Sent as Retry-After (429, 503 over capacity). */
    readonly retryAfterSeconds?: number,
    /** Answered as JSON instead of the message as text (refusals a client acts on: over capacity). */
    readonly json?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'PushError';
  }
}

export const PUSH_METHODS = ['PUT', 'POST'];

/** go-livepeer's limit: a segment is at most 300 s long. */
export const MAX_PUSH_DURATION_MS = 300_000;

export interface PushTarget {
  streamKey: string;
  /** The pusher's own sequence number (its retries of one segment share it). */
  pusherSeq: number;
}

export function checkMethod(method: string): void {
  if (!PUSH_METHODS.includes(method.toUpperCase())) {
    throw new PushError(405, `method ${method} not allowed: push segments with PUT or POST`);
  }
}

/** `{seq}.ts` -> seq. `.mp4` and anything else is refused: ingest relays MPEG-TS. */
export function parseSegmentName(name: string): number {
  const match = /^(\d{1,15})\.(\w+)$/.exec(name);
  if (!match) throw new PushError(400, `segment name "${truncate(name)}" is not {seq}.ts`);
  if (match[2] !== 'ts') throw new PushError(400, `unsupported segment extension .${match[2]}: push MPEG-TS segments as {seq}.ts`);
  return Number(match[1]);
}

/** Content-Duration: integer milliseconds, 1..300000; checked against the probe (checkDeclaredDuration). Absent: undefined. */
export function parseContentDuration(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  const value = Array.isArray(header) ? header[0] : header;
  if (!/^\d{1,9}$/.test(value.trim())) {
    throw new PushError(400, `Content-Duration "${truncate(value)}" is not an integer number of milliseconds`);
  }
  const ms = Number(value.trim());
  if (ms < 1 || ms > MAX_PUSH_DURATION_MS) {
    throw new PushError(400, `Content-Duration ${ms} ms is out of range (1..${MAX_PUSH_DURATION_MS})`);
  }
  return ms;
}

/** How far a declared Content-Duration may be from the media's own: the larger of the two. */
export const DURATION_TOLERANCE = { ms: 200, fraction: 0.1 };

/**
 * A segment's duration is its media's (the probe): a Content-Duration that disagrees by more
 * than DURATION_TOLERANCE is refused with both values (apps/ingest/README.md, "HTTP push"),
 * since believing it would put a wrong EXTINF and wrong program date-times in every playlist.
 */
export function checkDeclaredDuration(declaredMs: number | undefined, probedMs: number): void {
  if (declaredMs === undefined) return;
  const allowed = Math.max(DURATION_TOLERANCE.ms, Math.round(probedMs * DURATION_TOLERANCE.fraction));
  if (Math.abs(declaredMs - probedMs) > allowed) {
    throw new PushError(
      422,
      `Content-Duration ${declaredMs} ms does not match the segment's media duration of ${probedMs} ms (allowed difference ${allowed} ms): send the segment's real duration or omit the header`,
      'duration-mismatch',
    );
  }
}

/** Content-Resolution: WIDTHxHEIGHT. Absent: undefined (probed instead). */
export function parseContentResolution(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  const value = (Array.isArray(header) ? header[0] : header).trim();
  const match = /^(\d{1,5})x(\d{1,5})$/.exec(value);
  if (!match || Number(match[1]) === 0 || Number(match[2]) === 0) {
    throw new PushError(400, `Content-Resolution "${truncate(value)}" is not WIDTHxHEIGHT`);
  }
  return `${Number(match[1])}x${Number(match[2])}`;
}

/** A declared Content-Length over the cap is refused before a byte is read. */
export function checkDeclaredLength(header: string | undefined, maxBytes: number): void {
  if (header === undefined) return;
  const length = Number(header);
  if (Number.isFinite(length) && length > maxBytes) throw tooLarge(maxBytes);
  if (length === 0) throw new PushError(400, 'empty body: push the segment bytes');
}

export function tooLarge(maxBytes: number): PushError {
  return new PushError(413, `segment larger than ${maxBytes} bytes (INGEST_MAX_PUSH_BYTES)`, 'too-large');
}

function truncate(value: string): string {
  return value.length > 40 ? `${value.slice(0, 40)}...` : value;
}
