import { Injectable } from '@nestjs/common';
import { And, DataSource, In, IsNull, LessThan, Not, type Repository } from 'typeorm';
import { RenditionSegmentEntity } from '../entities';
import type { DropReason } from '../ledger-states';
import { SessionRepository } from './session.repository';

export interface ListedPosition {
  sessionId: string;
  seq: number;
  msn: number;
  /** Its program date-time and duration: where the next listed segment's time starts. */
  programDateTime: number | null;
  durationMs: number | null;
}

/** A listed segment as a playlist window needs it. */
export interface ListedEntry {
  msn: number;
  durationMs: number;
  discontinuity: boolean;
  programDateTime: number | null;
  /** Listed with `#EXT-X-GAP`: the variant had no media for this msn (a `dropped` row that has an msn). */
  gap: boolean;
}

export interface NewListedRow {
  rendition: string;
  msn: number;
  durationMs: number;
  bytes: number;
  objectKey: string;
}

/** A variant listed with `#EXT-X-GAP` at an msn the other variants list with media. */
export interface NewGapRow {
  rendition: string;
  msn: number;
  durationMs: number;
  reason: DropReason;
}

/** Per rendition, state and drop reason of a session: how many rows, and the newest seq, msn and time. */
export interface RenditionTally {
  rendition: string;
  state: string;
  reason: string | null;
  n: number;
  lastSeq: number | null;
  lastMsn: number | null;
  lastAt: number | null;
}

const numberOrNull = (v: string | number | null | undefined) => (v === null || v === undefined ? null : Number(v));

/**
 * The stitcher's rows of the ledger (one per session, source seq and variant). They are the
 * persisted state of the republished playlists: the stream's media sequence numbers, their
 * discontinuities and durations, from which any stitcher copy rebuilds the windows.
 */
@Injectable()
export class RenditionSegmentRepository {
  private readonly rows: Repository<RenditionSegmentEntity>;

  constructor(
    ds: DataSource,
    private readonly sessions: SessionRepository,
  ) {
    this.rows = ds.getRepository(RenditionSegmentEntity);
  }

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
      select: { sessionId: true, seq: true, msn: true, programDateTime: true, durationMs: true },
    });
    return row
      ? { sessionId: row.sessionId, seq: row.seq, msn: row.msn!, programDateTime: row.programDateTime, durationMs: row.durationMs }
      : undefined;
  }

  /** The stream's newest msn, if it listed anything. */
  async newestMsn(playbackId: string): Promise<number | undefined> {
    return (await this.lastListed(playbackId))?.msn;
  }

  /**
   * The newest `limit` listed rows of one variant, oldest first. Rows of sessions whose objects
   * retention removed are left out: their segments cannot be listed again (their rows stay only
   * to carry the media and discontinuity sequences on).
   */
  async newestListed(playbackId: string, rendition: string, limit: number): Promise<ListedEntry[]> {
    const found = await this.rows.find({
      where: { playbackId, rendition, msn: Not(IsNull()) },
      order: { msn: 'DESC' },
      take: limit,
    });
    const purged = await this.sessions.purgedAmong([...new Set(found.map((r) => r.sessionId))]);
    return found
      .reverse()
      .filter((r) => !purged.has(r.sessionId))
      .map((r) => ({
        msn: r.msn!,
        durationMs: r.durationMs ?? 1,
        discontinuity: r.discontinuity,
        programDateTime: r.programDateTime,
        gap: r.state === 'dropped',
      }));
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
   * Records one source seq for every variant in one statement: listed rows (with their msn and
   * the seq's program date-time, one for every variant), skipped rows (with the reason), or gap
   * rows: `dropped` with the reason but holding the msn, since the playlist lists the msn with
   * `#EXT-X-GAP` (a window rebuilt from the rows lists it the same way). The unique (playback
   * id, rendition, msn) index makes a second writer fail here, before it could write a playlist.
   */
  async record(
    common: { sessionId: string; seq: number; playbackId: string; discontinuity: boolean; programDateTime?: number | null },
    listed: NewListedRow[],
    skipped: { rendition: string; reason: DropReason }[],
    gaps: NewGapRow[] = [],
  ): Promise<void> {
    const now = Date.now();
    const values = [
      ...listed.map((l) => ({
        ...common,
        programDateTime: common.programDateTime ?? null,
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
        programDateTime: null,
        rendition: s.rendition,
        state: 'dropped' as const,
        msn: null,
        durationMs: null,
        bytes: null,
        objectKey: null,
        dropReason: s.reason,
        republishedAt: now,
      })),
      ...gaps.map((g) => ({
        ...common,
        programDateTime: common.programDateTime ?? null,
        rendition: g.rendition,
        state: 'dropped' as const,
        msn: g.msn,
        durationMs: g.durationMs,
        bytes: null,
        objectKey: null,
        dropReason: g.reason,
        republishedAt: now,
      })),
    ];
    if (values.length) await this.rows.insert(values);
  }

  /** Every listed row of these sessions (all variants), in msn order: what a recording of them lists. */
  listedOfSessions(sessionIds: string[]): Promise<RenditionSegmentEntity[]> {
    if (sessionIds.length === 0) return Promise.resolve([]);
    return this.rows.find({ where: { sessionId: In(sessionIds), msn: Not(IsNull()) }, order: { msn: 'ASC' } });
  }

  /** The rows of these seqs of a session. */
  forSeqs(sessionId: string, seqs: number[]): Promise<RenditionSegmentEntity[]> {
    if (seqs.length === 0) return Promise.resolve([]);
    return this.rows.find({ where: { sessionId, seq: In(seqs) } });
  }

  /** Per rendition, state and reason: counts and the newest seq, msn and time (the admin's lag view). */
  async tally(sessionId: string): Promise<RenditionTally[]> {
    const rows = await this.rows
      .createQueryBuilder('r')
      .select('r.rendition', 'rendition')
      .addSelect('r.state', 'state')
      .addSelect('r.drop_reason', 'reason')
      .addSelect('COUNT(*)', 'n')
      .addSelect('MAX(r.seq)', 'lastSeq')
      .addSelect('MAX(r.msn)', 'lastMsn')
      .addSelect('MAX(r.republished_at)', 'lastAt')
      .where('r.session_id = :id', { id: sessionId })
      .groupBy('r.rendition')
      .addGroupBy('r.state')
      .addGroupBy('r.drop_reason')
      .getRawMany<{
        rendition: string;
        state: string;
        reason: string | null;
        n: string;
        lastSeq: string | null;
        lastMsn: string | null;
        lastAt: string | null;
      }>();
    return rows.map((r) => ({
      rendition: r.rendition,
      state: r.state,
      reason: r.reason,
      n: Number(r.n),
      lastSeq: numberOrNull(r.lastSeq),
      lastMsn: numberOrNull(r.lastMsn),
      lastAt: numberOrNull(r.lastAt),
    }));
  }

  /** The objects a session's rows name, with their msn (null for none) and stream. */
  objectsOf(sessionId: string): Promise<{ objectKey: string; msn: number | null; playbackId: string }[]> {
    return this.rows
      .find({ where: { sessionId, objectKey: Not(IsNull()) }, select: { objectKey: true, msn: true, playbackId: true } })
      .then((rows) => rows.map((r) => ({ objectKey: r.objectKey!, msn: r.msn, playbackId: r.playbackId })));
  }

  /**
   * Deletes rows republished before `cutoff`, except what a later session must continue from:
   * each stream's newest listed row (its msn) and listed rows with a discontinuity (its count).
   */
  async pruneBefore(cutoff: number): Promise<number> {
    let pruned = (await this.rows.delete({ republishedAt: LessThan(cutoff), msn: IsNull() })).affected ?? 0;
    const streams = await this.rows
      .createQueryBuilder('r')
      .select('r.playback_id', 'playbackId')
      .addSelect('MAX(r.msn)', 'msn')
      .where('r.republished_at < :cutoff', { cutoff })
      .groupBy('r.playback_id')
      .getRawMany<{ playbackId: string; msn: string | number | null }>();
    for (const { playbackId } of streams) {
      const last = await this.newestMsn(playbackId);
      if (!last) continue;
      const result = await this.rows.delete({
        playbackId,
        republishedAt: LessThan(cutoff),
        discontinuity: false,
        msn: And(Not(IsNull()), LessThan(last)),
      });
      pruned += result.affected ?? 0;
    }
    return pruned;
  }
}
