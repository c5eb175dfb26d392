import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, IsNull, Not, Repository } from 'typeorm';
import { RenditionSegmentEntity, SessionEntity, type DropReason } from '@lib/database';
import type { ListedRow } from './window-state';

export interface ListedPosition {
  sessionId: string;
  seq: number;
  msn: number;
}

export interface NewListedRow {
  rendition: string;
  msn: number;
  durationMs: number;
  bytes: number;
  objectKey: string;
}

/**
 * The stitcher's rows of the ledger (one per session, source seq and variant). They are the
 * persisted state of the republished playlists: the stream's media sequence numbers, their
 * discontinuities and durations, from which any stitcher copy rebuilds the windows.
 */
@Injectable()
export class RenditionStore {
  constructor(
    @InjectRepository(RenditionSegmentEntity) private readonly rows: Repository<RenditionSegmentEntity>,
    @InjectRepository(SessionEntity) private readonly sessions: Repository<SessionEntity>,
  ) {}

  /** The newest source seq of the session that was resolved (listed or skipped), if any. */
  async lastResolvedSeq(sessionId: string): Promise<number | undefined> {
    const row = await this.rows.findOne({ where: { sessionId }, order: { seq: 'DESC' }, select: { seq: true } });
    return row?.seq;
  }

  /** The stream's newest listed segment (any variant: they all share msns). */
  async lastListed(playbackId: string): Promise<ListedPosition | undefined> {
    const row = await this.rows.findOne({
      where: { playbackId, msn: Not(IsNull()) },
      order: { msn: 'DESC' },
      select: { sessionId: true, seq: true, msn: true },
    });
    return row ? { sessionId: row.sessionId, seq: row.seq, msn: row.msn! } : undefined;
  }

  /**
   * The newest `limit` listed rows of one variant, oldest first. Rows of sessions whose objects
   * retention removed are left out: their segments cannot be listed again (their rows stay only
   * to carry the media and discontinuity sequences on).
   */
  async newestListed(playbackId: string, rendition: string, limit: number): Promise<ListedRow[]> {
    const found = await this.rows.find({
      where: { playbackId, rendition, msn: Not(IsNull()) },
      order: { msn: 'DESC' },
      take: limit,
    });
    const sessionIds = [...new Set(found.map((r) => r.sessionId))];
    const purged = sessionIds.length
      ? new Set((await this.sessions.find({ where: { id: In(sessionIds), purgedAt: Not(IsNull()) }, select: { id: true } })).map((s) => s.id))
      : new Set<string>();
    return found
      .reverse()
      .filter((r) => !purged.has(r.sessionId))
      .map((r) => ({ msn: r.msn!, durationMs: r.durationMs ?? 1, discontinuity: r.discontinuity }));
  }

  /** Discontinuities of the stream before `msn`: its discontinuity sequence number there. */
  async discontinuitiesBefore(playbackId: string, msn: number): Promise<number> {
    const raw = await this.rows
      .createQueryBuilder('r')
      .select('COUNT(DISTINCT r.msn)', 'n')
      .where('r.playback_id = :playbackId AND r.discontinuity = :yes AND r.msn < :msn', { playbackId, yes: true, msn })
      .getRawOne<{ n: string | number }>();
    return Number(raw?.n ?? 0);
  }

  /**
   * Records one source seq for every variant in one statement: listed rows (with their msn) or
   * skipped rows (with the reason). The unique (playback id, rendition, msn) index makes a second
   * writer fail here, before it could write a playlist.
   */
  async record(
    common: { sessionId: string; seq: number; playbackId: string; discontinuity: boolean },
    listed: NewListedRow[],
    skipped: { rendition: string; reason: DropReason }[],
  ): Promise<void> {
    const now = Date.now();
    const values = [
      ...listed.map((l) => ({
        ...common,
        rendition: l.rendition,
        state: 'republished' as const,
        msn: l.msn,
        durationMs: l.durationMs,
        bytes: l.bytes,
        objectKey: l.objectKey,
        dropReason: null,
        republishedAt: now,
      })),
      ...skipped.map((s) => ({
        ...common,
        discontinuity: false,
        rendition: s.rendition,
        state: 'dropped' as const,
        msn: null,
        durationMs: null,
        bytes: null,
        objectKey: null,
        dropReason: s.reason,
        republishedAt: now,
      })),
    ];
    if (values.length) await this.rows.insert(values);
  }

  /** Every row of a session, in seq order (the admin timeline). */
  forSession(sessionId: string): Promise<RenditionSegmentEntity[]> {
    return this.rows.find({ where: { sessionId }, order: { seq: 'ASC', rendition: 'ASC' } });
  }
}
