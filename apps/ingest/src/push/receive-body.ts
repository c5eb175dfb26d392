import type { IncomingMessage } from 'node:http';
import { createWriteStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { PushError, tooLarge } from './push-request';

/**
 * Streams a request body to `file`, refusing it (413) past `maxBytes` without
 * destroying the request, so the client still receives the 413 (the response then
 * closes the connection). Resolves with the byte count.
 */
export function receiveBody(req: IncomingMessage, file: string, maxBytes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(file);
    let bytes = 0;
    let settled = false;
    const fail = (err: PushError) => {
      if (settled) return;
      settled = true;
      out.destroy();
      req.resume(); // discard the rest; the response closes the connection
      void unlink(file).catch(() => undefined);
      reject(err);
    };
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      bytes += chunk.length;
      if (bytes > maxBytes) return fail(tooLarge(maxBytes));
      if (!out.write(chunk)) {
        req.pause();
        out.once('drain', () => req.resume());
      }
    });
    req.on('end', () => {
      if (settled) return;
      if (bytes === 0) return fail(new PushError(400, 'empty body: push the segment bytes'));
      out.end();
    });
    req.on('close', () => {
      if (!req.complete) fail(new PushError(400, 'the request ended before the segment was complete'));
    });
    req.on('error', () => fail(new PushError(400, 'the request ended before the segment was complete')));
    out.on('error', (err) => fail(new PushError(500, `segment could not be written to local disk: ${err.message}`)));
    out.on('finish', () => {
      if (settled) return;
      settled = true;
      resolve(bytes);
    });
  });
}
