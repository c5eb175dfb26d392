import {
  BroadcasterPushError,
  MULTIPART_MIXED,
  MultipartError,
  PUSH_HEADERS,
  describeFetchError,
  multipartBoundary,
  pushUrl,
  readRenditions,
  safeText,
  timeoutSignal,
  type PushedRendition,
} from '@lib/livepeer';

/** A buffered segment push, as the tests send it to livepeer-local's broadcasters. */

export interface PushSegmentOptions {
  /** e.g. `http://127.0.0.1:8935` */
  broadcasterUrl: string;
  manifestId: string;
  seq: number;
  body: Uint8Array;
  /** `Content-Duration` in integer ms (the broadcaster assumes 2000 without it). */
  durationMs?: number;
  /** `Content-Resolution`, `{width, height}` or `"WxH"`. */
  resolution?: { width: number; height: number } | string;
  /** Send `Accept: multipart/mixed` and read the renditions from the answer. */
  multipart?: boolean;
  method?: 'PUT' | 'POST';
  /** Whole request timeout (ms); the broadcaster answers only after transcoding. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface PushSegmentResult {
  status: number;
  renditions: PushedRendition[];
  roundTripMs: number;
}

/**
 * PUTs one MPEG-TS segment to `{broadcaster}/live/{manifestId}/{seq}.ts`. Resolves on 200
 * (with the renditions when `multipart` is set); throws BroadcasterPushError otherwise,
 * `retryable` for network errors, timeouts, 5xx and unreadable multipart bodies.
 */
export async function pushSegment(options: PushSegmentOptions): Promise<PushSegmentResult> {
  const url = pushUrl(options.broadcasterUrl, options.manifestId, options.seq);
  const headers: Record<string, string> = { 'Content-Type': 'video/mp2t' };
  if (options.durationMs !== undefined) headers[PUSH_HEADERS.duration] = String(Math.round(options.durationMs));
  if (options.resolution !== undefined) {
    headers[PUSH_HEADERS.resolution] =
      typeof options.resolution === 'string' ? options.resolution : `${options.resolution.width}x${options.resolution.height}`;
  }
  if (options.multipart) headers.Accept = MULTIPART_MIXED;

  const started = performance.now();
  const signal = timeoutSignal(options.timeoutMs, options.signal);
  let response: Response;
  let body: Buffer;
  try {
    response = await fetch(url, { method: options.method ?? 'PUT', headers, body: options.body, signal });
    if (response.status !== 200) {
      throw new BroadcasterPushError(options.broadcasterUrl, response.status, await safeText(response));
    }
    body = Buffer.from(await response.arrayBuffer());
  } catch (err) {
    if (err instanceof BroadcasterPushError) throw err;
    const name = (err as Error)?.name;
    const reason =
      name === 'TimeoutError' ? `timed out after ${options.timeoutMs} ms` : name === 'AbortError' ? 'aborted' : describeFetchError(err);
    throw new BroadcasterPushError(options.broadcasterUrl, undefined, reason, true);
  }
  const roundTripMs = Math.round(performance.now() - started);
  if (!options.multipart) return { status: 200, renditions: [], roundTripMs };

  const boundary = multipartBoundary(response.headers.get('content-type'));
  if (!boundary) {
    throw new BroadcasterPushError(options.broadcasterUrl, 200, 'answer to a multipart push has no boundary', true);
  }
  try {
    return { status: 200, renditions: readRenditions(body, boundary), roundTripMs };
  } catch (err) {
    if (err instanceof MultipartError) {
      throw new BroadcasterPushError(options.broadcasterUrl, 200, `unreadable multipart answer: ${err.message}`, true);
    }
    throw err;
  }
}
