import type { IncomingMessage } from 'node:http';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Cross-site request forgery check for cookie-authenticated requests: a browser attaches
 * the dashboard's cookie to requests any page makes (SameSite does not separate two
 * ports of one host), but it always names the page's origin in `Origin` (or, lacking it,
 * `Referer`) on a state-changing request. Such a request is allowed only when that origin
 * is the stitcher's own: the Host the request was sent to, or one of `ownHosts`
 * (PUBLIC_HOST with the stitcher's port, for a proxy that rewrites Host).
 * Reading methods pass: a cross-site page cannot read their answers.
 */
export function isSameOriginOrSafe(req: IncomingMessage, ownHosts: string[]): boolean {
  if (SAFE_METHODS.has((req.method ?? 'GET').toUpperCase())) return true;
  const origin = hostOf(header(req, 'origin')) ?? hostOf(header(req, 'referer'));
  if (!origin) return false;
  const requestHost = header(req, 'host')?.toLowerCase();
  return origin === requestHost || ownHosts.includes(origin);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** `http://relay.example:8080/x` -> `relay.example:8080` (`null` and non-URLs -> undefined). */
function hostOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return /^https?:$/.test(parsed.protocol) ? parsed.host.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}
