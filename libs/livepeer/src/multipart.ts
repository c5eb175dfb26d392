/**
 * Reader of `multipart/mixed` bodies (RFC 2046 §5.1) as go-livepeer sends them in
 * answer to a push with `Accept: multipart/mixed`: one part per rendition, with
 * `Content-Type`, `Content-Length`, `Content-Disposition` and `Rendition-Name` part headers.
 *
 * Why not busboy: busboy 1.x only parses `multipart/form-data` and skips every part whose
 * Content-Disposition is not `form-data` (go-livepeer sends `attachment`), and it does not expose
 * custom part headers such as `Rendition-Name`. The whole body is in memory anyway (a segment's
 * renditions), so a delimiter search over a Buffer is all that is needed.
 */

export interface MultipartPart {
  /** header names in lower case */
  headers: Record<string, string>;
  body: Buffer;
}

export class MultipartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MultipartError';
  }
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

/** The `boundary` parameter of a `multipart/*` content type, or undefined. */
export function multipartBoundary(contentType: string | null | undefined): string | undefined {
  if (!contentType || !/^\s*multipart\//i.test(contentType)) return undefined;
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return match ? (match[1] ?? match[2]) : undefined;
}

function parseHeaders(block: Buffer): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of block.toString('latin1').split('\r\n')) {
    if (!line) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new MultipartError(`malformed part header line "${line.slice(0, 80)}"`);
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/** Splits a complete multipart body into parts; throws MultipartError if it is cut short. */
export function parseMultipart(body: Buffer, boundary: string): MultipartPart[] {
  const dashBoundary = Buffer.from(`--${boundary}`);
  const delimiter = Buffer.concat([CRLF, dashBoundary]);
  // The first boundary may sit at the very start (no preamble) or after a preamble line.
  let pos: number;
  if (body.subarray(0, dashBoundary.length).equals(dashBoundary)) {
    pos = dashBoundary.length;
  } else {
    const first = body.indexOf(delimiter);
    if (first === -1) throw new MultipartError('no multipart boundary found in the body');
    pos = first + delimiter.length;
  }

  const parts: MultipartPart[] = [];
  for (;;) {
    if (body.subarray(pos, pos + 2).toString('latin1') === '--') return parts; // close delimiter
    const lineEnd = body.indexOf(CRLF, pos); // skip transport padding after the delimiter
    if (lineEnd === -1) throw new MultipartError('multipart body ends inside a delimiter line');
    const start = lineEnd + CRLF.length;
    const next = body.indexOf(delimiter, start);
    if (next === -1) throw new MultipartError(`multipart body is incomplete after ${parts.length} part(s)`);
    const raw = body.subarray(start, next);
    let headerBlock: Buffer;
    let content: Buffer;
    if (raw.subarray(0, 2).equals(CRLF)) {
      headerBlock = Buffer.alloc(0); // a part without headers
      content = raw.subarray(2);
    } else {
      const headerEnd = raw.indexOf(HEADER_END);
      if (headerEnd === -1) throw new MultipartError('multipart part has no end of headers');
      headerBlock = raw.subarray(0, headerEnd);
      content = raw.subarray(headerEnd + HEADER_END.length);
    }
    parts.push({ headers: parseHeaders(headerBlock), body: Buffer.from(content) });
    pos = next + delimiter.length;
  }
}
