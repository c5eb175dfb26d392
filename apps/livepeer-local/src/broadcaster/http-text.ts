import type { Response } from 'express';

/**
 * Error answers as go-livepeer writes them with Go's http.Error: text/plain, the message and a
 * newline (docs/livepeer-protocol.md §2.2: "Errors are text/plain bodies").
 */
export function sendText(res: Response, status: number, message: string): void {
  if (res.headersSent || res.destroyed) return;
  res.status(status).set({ 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
  res.send(`${message}\n`);
}
