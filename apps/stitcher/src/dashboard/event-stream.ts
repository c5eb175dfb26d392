/**
 * The stitcher's server-sent events (GET /api/events), opened with a short-lived ticket fetched
 * with the bearer token (EventSource cannot send headers). One connection for the whole page,
 * open while something listens; a dropped one is reopened with a fresh ticket.
 */
import type { ApiClient } from './api-client.js';
import type { EventTicket, OverviewSnapshot } from './api-types.js';

export type ConnectionState = 'connecting' | 'live' | 'reconnecting';

export interface OverviewListener {
  snapshot(snapshot: OverviewSnapshot, receivedAt: number): void;
  connection(state: ConnectionState): void;
}

/** Reconnection waits grow to this. */
const MAX_BACKOFF_MS = 15_000;

export class OverviewEvents {
  private readonly listeners = new Set<OverviewListener>();
  private source?: EventSource;
  private retryTimer?: ReturnType<typeof setTimeout>;
  private backoffMs = 1000;

  constructor(private readonly api: ApiClient) {}

  subscribe(listener: OverviewListener): () => void {
    this.listeners.add(listener);
    if (!this.source && !this.retryTimer) void this.open('connecting');
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.close();
    };
  }

  close(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.source?.close();
    this.source = undefined;
  }

  private emit(state: ConnectionState): void {
    for (const l of this.listeners) l.connection(state);
  }

  private async open(state: ConnectionState): Promise<void> {
    this.retryTimer = undefined;
    this.emit(state);
    let ticket: EventTicket;
    try {
      ticket = await this.api.post<EventTicket>('/api/events/ticket');
    } catch {
      return this.retry(); // a refused token signs out, which closes this too
    }
    if (this.listeners.size === 0) return;
    const source = new EventSource(`/api/events?ticket=${encodeURIComponent(ticket.ticket)}`);
    this.source = source;
    source.addEventListener('open', () => {
      this.backoffMs = 1000;
      this.emit('live');
    });
    source.addEventListener('overview', (event) => {
      const snapshot = JSON.parse((event as MessageEvent<string>).data) as OverviewSnapshot;
      const receivedAt = Date.now();
      for (const l of this.listeners) l.snapshot(snapshot, receivedAt);
    });
    source.addEventListener('error', () => {
      // EventSource would reconnect with the same (soon expired) ticket: reopen with a new one instead.
      if (this.source !== source) return;
      source.close();
      this.source = undefined;
      this.retry();
    });
  }

  private retry(): void {
    if (this.listeners.size === 0 || !this.api.token) return;
    this.emit('reconnecting');
    this.retryTimer = setTimeout(() => void this.open('reconnecting'), this.backoffMs);
    this.backoffMs = Math.min(MAX_BACKOFF_MS, this.backoffMs * 2);
  }
}
