import { Injectable } from '@nestjs/common';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { InjectConfig, stitcherConfig, type ConfigOf } from '@lib/config';

/** How long a ticket opens the event stream: long enough for the page to connect, short enough that a leaked URL is soon worthless. */
export const EVENT_TICKET_TTL_MS = 30_000;

/**
 * Short-lived signed tickets for the dashboard's server-sent events. EventSource cannot send an
 * Authorization header, and the API never trusts the ambient cookie (another page could make a
 * browser send it), so the page fetches a ticket with its bearer token and names it in the
 * stream's URL. A ticket is `expiry.nonce.signature` (HMAC-SHA256 under a key derived from
 * ADMIN_TOKEN): nothing to store, valid on every stitcher copy, and it only opens a read-only stream.
 */
@Injectable()
export class EventTickets {
  private readonly key: Buffer;

  constructor(@InjectConfig(stitcherConfig) settings: ConfigOf<typeof stitcherConfig>) {
    // A key of its own, so a ticket never reveals anything usable as the admin token.
    this.key = createHmac('sha256', settings.adminToken).update('dashboard-event-ticket').digest();
  }

  issue(now = Date.now()): { ticket: string; expiresAt: number } {
    const expiresAt = now + EVENT_TICKET_TTL_MS;
    const payload = `${expiresAt}.${randomBytes(12).toString('base64url')}`;
    return { ticket: `${payload}.${this.sign(payload)}`, expiresAt };
  }

  /** Whether `ticket` was issued here (by any copy sharing ADMIN_TOKEN) and has not expired. */
  valid(ticket: unknown, now = Date.now()): boolean {
    if (typeof ticket !== 'string' || ticket.length > 200) return false;
    const match = /^(\d{1,15})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{43})$/.exec(ticket);
    if (!match) return false;
    const expiresAt = Number(match[1]);
    if (expiresAt <= now || expiresAt > now + EVENT_TICKET_TTL_MS) return false;
    const expected = Buffer.from(this.sign(`${match[1]}.${match[2]}`));
    return timingSafeEqual(expected, Buffer.from(match[3]));
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }
}
