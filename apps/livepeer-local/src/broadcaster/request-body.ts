import type { IncomingMessage } from 'node:http';
import { PushError } from './http-text';

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
      if (tooBig) reject(new PushError(500, `input bigger than max buffer size (${maxBytes} bytes)`));
      else resolve(Buffer.concat(chunks, size));
    });
    req.on('error', (err) => reject(new PushError(500, `error reading request body: ${err.message}`)));
    req.on('aborted', () => reject(new PushError(500, 'error reading request body: client aborted')));
  });
}
