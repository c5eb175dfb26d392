import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** Cookie the dashboard sets after sign-in, so pages opened by navigation (bull-board) are authorised too. */
export const ADMIN_COOKIE = 'relay_admin_token';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Constant-time comparison (of digests, so lengths leak nothing either). */
export function tokenMatches(presented: string | undefined, expected: string): boolean {
  return presented !== undefined && timingSafeEqual(digest(presented), digest(expected));
}

/** The token of a request: `Authorization: Bearer <token>`, else the dashboard's cookie. */
export function presentedToken(headers: IncomingHttpHeaders): string | undefined {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
  if (bearer) return bearer[1];
  for (const part of (headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === ADMIN_COOKIE) return decodeURIComponent(value.join('='));
  }
  return undefined;
}
