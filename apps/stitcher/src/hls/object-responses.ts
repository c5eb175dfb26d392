import type { Logger } from '@nestjs/common';
import type { Response } from 'express';

/** The object store's answer for a key that does not exist. */
export function isMissing(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return code === 'NoSuchKey' || code === 'NotFound' || code === 'NoSuchBucket';
}

/** 404, never cached, readable by browser players (CORS open like the rest of /hls and /vod). */
export function sendNotFound(res: Response, body = 'not found'): void {
  res.set({ 'Access-Control-Allow-Origin': '*', 'Cache-Control': 'no-cache', 'Content-Type': 'text/plain; charset=utf-8' });
  res.status(404).send(`${body}\n`);
}

/** 503 with Retry-After: the object store failed (the player retries). */
export function sendUnavailable(res: Response, logger: Logger, err: unknown): void {
  logger.warn({ err: (err as Error).message }, 'object store read failed');
  res.set({
    'Access-Control-Allow-Origin': '*',
    'Cache-Control': 'no-cache',
    'Content-Type': 'text/plain; charset=utf-8',
    'Retry-After': '1',
  });
  res.status(503).send('temporarily unavailable\n');
}

/** Pipes an object stream to the answer; a stream that fails midway ends the connection. */
export function pipeObject(res: Response, logger: Logger, body: NodeJS.ReadableStream): void {
  body.on('error', (err: Error) => {
    logger.warn({ err: err.message }, 'object stream from the object store failed');
    res.destroy(err);
  });
  body.pipe(res);
}
