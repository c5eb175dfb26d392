import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { SegmentHistoryRepository, SessionRepository, StreamRepository, type SessionEntity } from '@lib/database';

/** Drops are counted over this window on the overview's cards. */
export const OVERVIEW_DROP_WINDOW_MS = 10 * 60_000;
/** How often the overview is recomputed while someone watches it (one computation for every viewer). */
export const OVERVIEW_INTERVAL_MS = 2000;
/** Live sessions on one overview: far above what one relay carries, so it only guards the queries. */
const MAX_CARDS = 500;

/** What the transcoding side reports of a session, when it reports it. */
export interface TranscodeReport {
  status: string | null;
  /** Media seconds transcoded per wall-clock second (below 1: falling behind). */
  speedFactor: number | null;
}

/** One live stream on the dashboard's overview. */
export interface OverviewCard {
  sessionId: string;
  streamId: string;
  streamName: string | null;
  playbackId: string | null;
  state: string;
  startedAt: number;
  targetDuration: number | null;
  /** The newest listed segment's #EXT-X-PROGRAM-DATE-TIME and duration: where viewers' live edge is. */
  newestProgramDateTime: number | null;
  newestDurationMs: number | null;
  drops: { total: number; byReason: Record<string, number> };
  transcode: TranscodeReport | null;
}

export interface OverviewSnapshot {
  serverTime: number;
  dropWindowMs: number;
  cards: OverviewCard[];
}

/**
 * The transcode status and speed factor of a session, read leniently: the session row may carry
 * them flat (`transcodeStatus`, `speedFactor`) or as `transcode: { status, speedFactor }`; null when
 * it carries neither.
 */
export function transcodeReportOf(session: object): TranscodeReport | null {
  const row = session as Record<string, unknown>;
  const nested = typeof row.transcode === 'object' && row.transcode !== null ? (row.transcode as Record<string, unknown>) : {};
  const status = row.transcodeStatus ?? nested.status;
  const speed = row.speedFactor ?? row.transcodeSpeedFactor ?? nested.speedFactor;
  const report = {
    status: typeof status === 'string' ? status : null,
    speedFactor: typeof speed === 'number' && Number.isFinite(speed) ? speed : null,
  };
  return report.status === null && report.speedFactor === null ? null : report;
}

/** The overview's figures for every live session, from the sessions table and the ledger. */
@Injectable()
export class OverviewQuery {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly streams: StreamRepository,
    private readonly history: SegmentHistoryRepository,
  ) {}

  async snapshot(now = Date.now()): Promise<OverviewSnapshot> {
    const live = await this.sessions.list({ state: 'live', limit: MAX_CARDS });
    const streams = await this.streams.byIds(live.map((s) => s.streamId));
    const drops = await this.history.dropsSince(
      live.map((s) => s.id),
      now - OVERVIEW_DROP_WINDOW_MS,
    );
    const cards = await Promise.all(
      live.map(async (session): Promise<OverviewCard> => {
        const stream = streams.get(session.streamId);
        // This session's newest listed segment: after a reconnect, the new session is behind live until it lists one.
        const newest = await this.history.newestListed(session.id);
        const byReason = drops.get(session.id) ?? {};
        return {
          sessionId: session.id,
          streamId: session.streamId,
          streamName: stream?.name ?? null,
          playbackId: stream?.playbackId ?? null,
          state: session.state,
          startedAt: session.startedAt,
          targetDuration: session.targetDuration,
          newestProgramDateTime: newest?.programDateTime ?? null,
          newestDurationMs: newest?.durationMs ?? null,
          drops: { total: Object.values(byReason).reduce((a, b) => a + b, 0), byReason },
          transcode: transcodeReportOf(session satisfies SessionEntity),
        };
      }),
    );
    return { serverTime: now, dropWindowMs: OVERVIEW_DROP_WINDOW_MS, cards };
  }
}

export type OverviewListener = (snapshot: OverviewSnapshot) => void;

/**
 * One overview computation per interval shared by every open event stream, running only while
 * at least one is open: a hundred viewers cost what one does.
 */
@Injectable()
export class OverviewFeed implements OnModuleDestroy {
  private readonly logger = new Logger(OverviewFeed.name);
  private readonly listeners = new Set<OverviewListener>();
  private timer?: NodeJS.Timeout;
  private latest?: OverviewSnapshot;
  private lastErrorLoggedAt = 0;
  /** A slow database must not pile computations up: a tick due while one runs is skipped. */
  private computing = false;

  constructor(private readonly query: OverviewQuery) {}

  /** Calls `listener` with the latest snapshot now (if there is one) and with every new one; returns the unsubscribe. */
  subscribe(listener: OverviewListener): () => void {
    this.listeners.add(listener);
    if (this.latest) listener(this.latest);
    if (!this.timer) {
      this.timer = setInterval(() => void this.tick(), OVERVIEW_INTERVAL_MS);
      void this.tick();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  onModuleDestroy(): void {
    this.listeners.clear();
    this.stop();
  }

  private stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.latest = undefined;
  }

  private async tick(): Promise<void> {
    if (this.computing) return;
    this.computing = true;
    try {
      const snapshot = await this.query.snapshot();
      if (!this.timer) return; // everyone left while it was computed
      this.latest = snapshot;
      for (const listener of this.listeners) listener(snapshot);
    } catch (err) {
      // The database may be briefly away; the next tick tries again. One line a minute at most.
      if (Date.now() - this.lastErrorLoggedAt > 60_000) {
        this.lastErrorLoggedAt = Date.now();
        this.logger.warn(`overview not computed: ${(err as Error).message}`);
      }
    } finally {
      this.computing = false;
    }
  }
}
