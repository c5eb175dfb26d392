import { BroadcasterPushError } from './errors';
import { joinUrl, safeText, timeoutSignal } from './http';
import { classifyRequestError, describeHttpFailure } from './http-failure';
import { MultipartError, multipartBoundary, parseMultipart } from './multipart';

/** Headers of the broadcaster push protocol (reference §2.2). */
export const PUSH_HEADERS = {
  duration: 'Content-Duration',
  resolution: 'Content-Resolution',
  renditionName: 'Rendition-Name',
} as const;

export const MULTIPART_MIXED = 'multipart/mixed';
/** Part content type of a rendition stored in object storage: the body is its URL. */
export const LIVEPEER_URI_CONTENT_TYPE = 'application/vnd+livepeer.uri';

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

export interface PushedRendition {
  /** `Rendition-Name` (or the profile position when a broadcaster omits it) */
  name: string;
  contentType: string;
  filename?: string;
  /** segment bytes; for `application/vnd+livepeer.uri` parts, the URL text as bytes */
  data: Buffer;
  /** set for `application/vnd+livepeer.uri` parts */
  uri?: string;
}

export interface PushSegmentResult {
  status: number;
  renditions: PushedRendition[];
  roundTripMs: number;
}

export function pushUrl(broadcasterUrl: string, manifestId: string, seq: number): string {
  return joinUrl(broadcasterUrl, `/live/${encodeURIComponent(manifestId)}/${seq}.ts`);
}

/** `filename="x_1.ts"` out of a Content-Disposition value. */
function filenameOf(disposition: string | undefined): string | undefined {
  if (!disposition) return undefined;
  const match = /filename="?([^";]+)"?/i.exec(disposition);
  return match?.[1];
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
      typeof options.resolution === 'string'
        ? options.resolution
        : `${options.resolution.width}x${options.resolution.height}`;
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
    const reason = describeHttpFailure(classifyRequestError(err, { timeoutMs: options.timeoutMs }));
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

/** The renditions of a multipart push answer, in the order the broadcaster sent them. */
export function readRenditions(body: Buffer, boundary: string): PushedRendition[] {
  return parseMultipart(body, boundary).map((part, index) => {
    const contentType = part.headers['content-type'] ?? 'application/octet-stream';
    const rendition: PushedRendition = {
      // go-livepeer < v0.5.4 sent no Rendition-Name; LivepeerWowza then used the position.
      name: part.headers[PUSH_HEADERS.renditionName.toLowerCase()] ?? String(index),
      contentType,
      filename: filenameOf(part.headers['content-disposition']),
      data: part.body,
    };
    if (contentType.toLowerCase().startsWith(LIVEPEER_URI_CONTENT_TYPE)) rendition.uri = part.body.toString('utf8').trim();
    return rendition;
  });
}
