import type { IncomingMessage } from 'node:http';
import { BroadcasterHttpError } from './broadcaster-http-error';

/**
 * Reads a push body up to `maxBytes`. Past the cap the rest is drained without being kept (so
 * the client still reads the answer rather than a reset) and the push fails with 500, as
 * go-livepeer answers "input bigger than max buffer size".
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) tooBig = true;
      if (!tooBig) chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooBig) reject(new BroadcasterHttpError(500, `input bigger than max buffer size (${maxBytes} bytes)`));
      else resolve(Buffer.concat(chunks, size));
    });
    req.on('error', (err) => reject(new BroadcasterHttpError(500, `error reading request body: ${err.message}`)));
    req.on('aborted', () => reject(new BroadcasterHttpError(500, 'error reading request body: client aborted')));
  });
}

const PUSH_BODY = Symbol('pushBody');
type WithPushBody = IncomingMessage & { [PUSH_BODY]?: Promise<Buffer> };

/**
 * Express middleware for `/live`: reads the raw segment before Nest's JSON/urlencoded body
 * parsers can claim it (curl's default form content type would otherwise be parsed, and
 * capped at 100 kB). The controller takes the result with `pushBody(req)`.
 */
export function pushBodyMiddleware(maxBytes: number) {
  return (req: IncomingMessage, _res: unknown, next: () => void) => {
    const pending = readBody(req, maxBytes);
    pending.catch(() => undefined); // the controller reports it
    (req as WithPushBody)[PUSH_BODY] = pending;
    pending.then(
      () => next(),
      () => next(),
    );
  };
}

/** The body the middleware read, or read it now (when the middleware is not installed). */
export function pushBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return (req as WithPushBody)[PUSH_BODY] ?? readBody(req, maxBytes);
}
