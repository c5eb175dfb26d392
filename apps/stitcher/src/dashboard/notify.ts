/**
 * The result of an action, shown in the page's one live region (read out by screen readers):
 * what happened, or the API's message when it was refused.
 */
import { ApiRequestError } from './api-client.js';
import { byId, el } from './dom.js';
import { fieldErrorLines } from './format.js';

export function notify(message: string, kind: 'ok' | 'error' = 'ok'): void {
  const region = byId('status');
  region.className = `status ${kind}`;
  region.replaceChildren(el('span', message));
  region.hidden = false;
}

/** The lines to show for a failed call: each field's problems for a 400, else the message. */
export function errorLines(err: unknown): string[] {
  const lines = err instanceof ApiRequestError ? fieldErrorLines(err.body?.errors) : [];
  return lines.length ? lines : [(err as Error).message];
}

/** Runs an action and shows its outcome; returns its result, or undefined when it failed. */
export async function act<T>(what: string, run: () => Promise<T>, success: (result: T) => string): Promise<T | undefined> {
  try {
    const result = await run();
    notify(success(result));
    return result;
  } catch (err) {
    notify(`${what} failed: ${errorLines(err).join('; ')}`, 'error');
    return undefined;
  }
}
