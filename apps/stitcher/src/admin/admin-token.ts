import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** Cookie the dashboard sets after sign-in, so pages opened by navigation (bull-board) are authorised too. */
export const ADMIN_COOKIE = 'relay_admin_token';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Constant-time comparison (of digests, so lengths leak nothing either). */
export function tokenMatches(presented: string | undefined, expected: string): boolean {
  return presented !== undefined && timingSafeEqual(digest(presented), digest(expected));
}

/** A token as a request carries it, and how: a header a page cannot make a browser send, or the ambient cookie. */
export interface PresentedToken {
  token: string;
  via: 'bearer' | 'cookie';
}

/** `Authorization: Bearer <token>`, else (when `cookie` is allowed) the dashboard's cookie. */
export function presentedToken(headers: IncomingHttpHeaders, cookie: boolean): PresentedToken | undefined {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
  if (bearer) return { token: bearer[1], via: 'bearer' };
  if (!cookie) return undefined;
  for (const part of (headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === ADMIN_COOKIE) return { token: safeDecode(value.join('=')), via: 'cookie' };
  }
  return undefined;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
