import { LivepeerRetryableError } from './errors';
import { classifyRequestError, describeHttpFailure } from './http-failure';

/** Joins a base URL and a path without doubling or dropping slashes. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/** An AbortSignal that fires on the caller's signal or after `timeoutMs`, whichever comes first. */
export function timeoutSignal(timeoutMs: number | undefined, signal?: AbortSignal): AbortSignal | undefined {
  const signals = [signal, timeoutMs ? AbortSignal.timeout(timeoutMs) : undefined].filter((s): s is AbortSignal => s !== undefined);
  if (signals.length <= 1) return signals[0];
  return AbortSignal.any(signals);
}

/**
 * `fetch` that turns network failures and timeouts into LivepeerRetryableError with the
 * method and URL in the message (never headers: they may carry the API key).
 */
export async function fetchOrRetryable(url: string, init: RequestInit, timeoutMs?: number): Promise<Response> {
  const signal = timeoutSignal(timeoutMs, init.signal ?? undefined);
  try {
    return await fetch(url, { ...init, signal });
  } catch (err) {
    const method = init.method ?? 'GET';
    const reason = describeHttpFailure(classifyRequestError(err, { timeoutMs }));
    throw new LivepeerRetryableError(`${method} ${url} ${reason}`, undefined, { cause: err });
  }
}

/** A failed fetch in one line ("failed: ECONNREFUSED (...)"), for callers that only log it. */
export function describeFetchError(err: unknown): string {
  return describeHttpFailure(classifyRequestError(err));
}

/** Reads a body as text without throwing (for error messages). */
export async function safeText(response: Response): Promise<string> {
  try {
    return await response.text();
  } catch {
    return '';
  }
}

/** `host:port` of an http(s) URL, the port always written, lower-case: one key per origin host. */
export function hostKey(url: URL): string {
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return `${url.hostname.toLowerCase()}:${port}`;
}

/** The host key of a broadcaster address or a `host[:port]` setting entry; undefined when it is not one. */
export function hostKeyOf(entry: string): string | undefined {
  try {
    return hostKey(new URL(/^https?:\/\//i.test(entry) ? entry : `http://${entry}`));
  } catch {
    return undefined;
  }
}
