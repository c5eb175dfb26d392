import { joinUrl } from './http';
import { parseMultipart } from './multipart';

/**
 * The broadcaster push protocol as a client sees it: headers, URL and the multipart answer. The
 * worker streams its own requests with these; the tests' buffered push (pushSegment) is in libs/testing.
 */

/** Headers of the broadcaster push protocol. */
export const PUSH_HEADERS = {
  duration: 'Content-Duration',
  resolution: 'Content-Resolution',
  renditionName: 'Rendition-Name',
} as const;

export const MULTIPART_MIXED = 'multipart/mixed';
/** Part content type of a rendition stored in object storage: the body is its URL. */
export const LIVEPEER_URI_CONTENT_TYPE = 'application/vnd+livepeer.uri';

export interface PushedRendition {
  /** `Rendition-Name` (or the profile position when a broadcaster omits it) */
  name: string;
  /** False when the part had no `Rendition-Name`: `name` is then only its position. */
  named: boolean;
  /** Position of the part in the answer (0-based): the profile index for an unnamed part. */
  position: number;
  contentType: string;
  filename?: string;
  /** segment bytes; for `application/vnd+livepeer.uri` parts, the URL text as bytes */
  data: Buffer;
  /** set for `application/vnd+livepeer.uri` parts */
  uri?: string;
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

/** The renditions of a multipart push answer, in the order the broadcaster sent them. */
export function readRenditions(body: Buffer, boundary: string): PushedRendition[] {
  return parseMultipart(body, boundary).map((part, index) => {
    const contentType = part.headers['content-type'] ?? 'application/octet-stream';
    const header = part.headers[PUSH_HEADERS.renditionName.toLowerCase()];
    const rendition: PushedRendition = {
      // go-livepeer < v0.5.4 sent no Rendition-Name; LivepeerWowza then used the position.
      name: header ?? String(index),
      named: header !== undefined,
      position: index,
      contentType,
      filename: filenameOf(part.headers['content-disposition']),
      data: part.body,
    };
    if (contentType.toLowerCase().startsWith(LIVEPEER_URI_CONTENT_TYPE)) rendition.uri = part.body.toString('utf8').trim();
    return rendition;
  });
}
