import { Injectable, NotFoundException } from '@nestjs/common';
import {
  LedgerService,
  RenditionSegmentRepository,
  SessionRepository,
  StreamRepository,
  StreamStatsRepository,
  type RenditionSegmentEntity,
  type SegmentState,
  type SessionEntity,
  type SessionSegmentCounts,
  type StreamEntity,
} from '@lib/database';
import { SOURCE_VARIANT, renditionsOf } from '../republish/session-republisher';
import { fallbackPeriods } from './fallback-periods';

export interface SegmentCounts {
  ingested: number;
  queued: number;
  uploaded: number;
  /** A broadcaster answers a push only once it has transcoded it: always `uploaded` (kept for the dashboard). */
  transcoded: number;
  republished: number;
  dropped: { total: number; byReason: Record<string, number> };
}

export interface RenditionStatus {
  name: string;
  republished: number;
  dropped: Record<string, number>;
  lastSeq: number | null;
  lastMsn: number | null;
  lastRepublishedAt: number | null;
  /** Source segments ingest has recorded after the last one this rendition lists. */
  lagSegments: number;
  /** How far behind the newest ingested segment the rendition's newest listed one is. */
  lagSeconds: number;
}

/** Read models of sessions for the admin API: summaries, counts, per-rendition lag, timelines. */
@Injectable()
export class SessionsQuery {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly streams: StreamRepository,
    private readonly ledger: LedgerService,
    private readonly renditions: RenditionSegmentRepository,
    private readonly stats: StreamStatsRepository,
  ) {}

  async list(filter: { state: 'live' | 'ended' | 'all'; streamId?: string; protocol?: string; limit: number; offset: number }) {
    const rows = await this.sessions.list(filter);
    const streams = await this.streams.byIds(rows.map((r) => r.streamId));
    const counts = await this.countsBySession(rows.map((r) => r.id));
    const stats = await this.stats.bySession(rows.map((r) => r.id));
    return rows.map((r) => ({
      ...this.summary(r, streams.get(r.streamId)),
      ...stats.get(r.id)!,
      // The session's drops include the stitcher's skips: the counts' figure, not the ledger's alone.
      drops: (counts.get(r.id) ?? emptyCounts()).dropped,
      counts: counts.get(r.id) ?? emptyCounts(),
    }));
  }

  async detail(id: string) {
    const session = await this.sessions.get(id);
    if (!session) throw new NotFoundException(`no session with id ${id}`);
    const stream = await this.streams.get(session.streamId);
    const counts = (await this.countsBySession([id])).get(id) ?? emptyCounts();
    const stats = (await this.stats.bySession([id])).get(id)!;
    const local = fallbackPeriods(await this.ledger.localTranscodes(id));
    return {
      ...this.summary(session, stream ?? undefined),
      ...stats,
      drops: counts.dropped,
      counts,
      renditions: await this.renditionStatus(session),
      // Segments a worker transcoded itself because no broadcaster could (FALLBACK_TRANSCODE=local).
      fallback: { segments: local.reduce((n, p) => n + p.segments, 0), periods: local },
    };
  }

  /**
   * Per source segment: the ledger row and what each variant made of it, oldest first: the newest
   * `limit` below `before` (a cursor: the lowest seq of the previous page), optionally in one state.
   */
  async timeline(id: string, page: { limit: number; before?: number; state?: SegmentState }) {
    if (!(await this.sessions.exists(id))) throw new NotFoundException(`no session with id ${id}`);
    const ledger = await this.ledger.page(id, { limit: page.limit, beforeSeq: page.before, state: page.state });
    if (ledger.length === 0) return [];
    const rows = await this.renditions.forSeqs(
      id,
      ledger.map((s) => s.seq),
    );
    const bySeq = new Map<number, RenditionSegmentEntity[]>();
    for (const row of rows) bySeq.set(row.seq, [...(bySeq.get(row.seq) ?? []), row]);
    return ledger.map((s) => {
      const variants = bySeq.get(s.seq) ?? [];
      return {
        seq: s.seq,
        durationMs: s.durationMs,
        bytes: s.bytes,
        state: s.state,
        dropReason: s.dropReason,
        dropDetail: s.dropDetail,
        ingestedAt: s.ingestedAt,
        queuedAt: s.queuedAt,
        uploadedAt: s.uploadedAt,
        republishedAt: variants.length ? Math.max(...variants.map((v) => v.republishedAt)) : null,
        broadcasters: s.broadcasters,
        attempts: s.attempts,
        uploadMs: s.uploadMs,
        roundTripMs: s.roundTripMs,
        msn: variants.find((v) => v.msn !== null)?.msn ?? null,
        discontinuity: variants.some((v) => v.discontinuity),
        // When its first frame reached ingest, and the #EXT-X-PROGRAM-DATE-TIME every variant lists it with.
        startedAt: s.startedAt,
        programDateTime: variants.find((v) => v.programDateTime !== null)?.programDateTime ?? null,
        renditions: Object.fromEntries(
          variants.map((v) => [v.rendition, { state: v.state, msn: v.msn, dropReason: v.dropReason, bytes: v.bytes }]),
        ),
      };
    });
  }

  private summary(session: SessionEntity, stream: StreamEntity | undefined) {
    return {
      id: session.id,
      streamId: session.streamId,
      streamName: stream?.name ?? null,
      playbackId: stream?.playbackId ?? null,
      state: session.state,
      isActive: session.state === 'starting' || session.state === 'live',
      stateReason: session.stateReason,
      protocol: session.protocol,
      source: session.source,
      targetDuration: session.targetDuration,
      // Livepeer's own stream key and playback id are never shown.
      livepeerStreamId: session.livepeerStreamId,
      profiles: session.profiles,
      renditions: [...(session.livepeerStreamId ? renditionsOf(session, '').map((r) => r.name) : []), SOURCE_VARIANT],
      startedAt: session.startedAt,
      endedAt: session.endedAt,
      playlistEndedAt: session.playlistEndedAt,
    };
  }

  /** The ledger's counts in the API's shape, with the stitcher's skips among the drops. */
  private async countsBySession(ids: string[]): Promise<Map<string, SegmentCounts>> {
    const counts = await this.ledger.countsBySession(ids);
    return new Map([...counts].map(([id, c]) => [id, segmentCounts(c)]));
  }

  private async renditionStatus(session: SessionEntity): Promise<RenditionStatus[]> {
    const names = [...(session.livepeerStreamId ? renditionsOf(session, '').map((r) => r.name) : []), SOURCE_VARIANT];
    const [newest] = await this.ledger.newest(session.id, 1);
    const rows = await this.renditions.tally(session.id);
    const statuses = names.map((name): RenditionStatus => {
      const mine = rows.filter((r) => r.rendition === name);
      const listed = mine.find((r) => r.state === 'republished');
      const lastSeq = listed?.lastSeq ?? null;
      return {
        name,
        republished: listed?.n ?? 0,
        dropped: Object.fromEntries(mine.filter((r) => r.state === 'dropped').map((r) => [r.reason ?? 'unknown', r.n])),
        lastSeq,
        lastMsn: listed?.lastMsn ?? null,
        lastRepublishedAt: listed?.lastAt ?? null,
        lagSegments: newest ? newest.seq - (lastSeq ?? -1) : 0,
        lagSeconds: 0,
      };
    });
    // Lag in seconds: ingest time of the newest segment minus that of the rendition's newest listed one.
    const seqs = [...new Set(statuses.map((s) => s.lastSeq).filter((s): s is number => s !== null))];
    const lastIngestedAt = await this.ledger.ingestedAtOf(session.id, seqs);
    for (const status of statuses) {
      if (!newest) continue;
      const listedAt = status.lastSeq === null ? session.startedAt : (lastIngestedAt.get(status.lastSeq) ?? newest.ingestedAt);
      status.lagSeconds = Math.max(0, (newest.ingestedAt - listedAt) / 1000);
    }
    return statuses;
  }
}

function emptyCounts(): SegmentCounts {
  return { ingested: 0, queued: 0, uploaded: 0, transcoded: 0, republished: 0, dropped: { total: 0, byReason: {} } };
}

/** Drops are the ledger's (ingest, worker) plus the seqs the stitcher skipped in its playlists. */
function segmentCounts(c: SessionSegmentCounts): SegmentCounts {
  const byReason: Record<string, number> = {};
  for (const [reason, n] of [...Object.entries(c.dropReasons), ...Object.entries(c.skippedInPlaylists)])
    byReason[reason] = (byReason[reason] ?? 0) + n;
  return {
    ingested: c.total,
    queued: c.reachedQueued,
    uploaded: c.reachedUploaded,
    transcoded: c.reachedUploaded,
    republished: c.byState.republished ?? 0,
    dropped: { total: Object.values(byReason).reduce((a, b) => a + b, 0), byReason },
  };
}
