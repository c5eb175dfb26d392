import type { ConfigOf, stitcherConfig } from '@lib/config';
import { EVENT_TICKET_TTL_MS, EventTickets } from './event-tickets';

const tickets = (adminToken: string) => new EventTickets({ adminToken } as ConfigOf<typeof stitcherConfig>);

describe('EventTickets', () => {
  const NOW = 1_800_000_000_000;

  it('accepts its own ticket until it expires', () => {
    const issuer = tickets('admin-token-one');
    const { ticket, expiresAt } = issuer.issue(NOW);
    expect(expiresAt).toBe(NOW + EVENT_TICKET_TTL_MS);
    expect(issuer.valid(ticket, NOW)).toBe(true);
    expect(issuer.valid(ticket, expiresAt - 1)).toBe(true);
    expect(issuer.valid(ticket, expiresAt)).toBe(false);
  });

  it('is valid on another copy with the same admin token, not with another token', () => {
    const { ticket } = tickets('admin-token-one').issue(NOW);
    expect(tickets('admin-token-one').valid(ticket, NOW)).toBe(true);
    expect(tickets('admin-token-two').valid(ticket, NOW)).toBe(false);
  });

  it('refuses a ticket whose expiry was moved, one from too far in the future, and anything else', () => {
    const issuer = tickets('admin-token-one');
    const { ticket } = issuer.issue(NOW);
    const [expiry, nonce, signature] = ticket.split('.');
    expect(issuer.valid(`${Number(expiry) + 1000}.${nonce}.${signature}`, NOW)).toBe(false);
    // Signed, but valid for longer than a ticket lives: refused (a clock far ahead made it).
    expect(issuer.valid(issuer.issue(NOW + 10 * EVENT_TICKET_TTL_MS).ticket, NOW)).toBe(false);
    for (const bad of ['', 'admin-token-one', `${expiry}.${nonce}`, `${ticket}x`, undefined, 42, 'x'.repeat(500)]) {
      expect(issuer.valid(bad, NOW)).toBe(false);
    }
  });

  it('never contains the admin token', () => {
    expect(tickets('admin-token-one').issue(NOW).ticket).not.toContain('admin-token-one');
  });
});
