import { Injectable } from '@nestjs/common';
import { DataSource, type Repository } from 'typeorm';
import { RenditionSegmentEntity, SegmentEntity } from '../entities';
import { SOURCE_RENDITION } from '../ledger-states';

/** One source segment of a session as the dashboard's charts plot it. */
export interface SegmentPoint {
  seq: number;
  ingestedAt: number;
  state: string;
  /** The ledger's reason (ingest, worker) or, for a seq the stitcher skipped, its playlist reason. */
  dropReason: string | null;
  roundTripMs: number | null;
  /** Ingest -> listed in the source variant (ms); null while not listed. */
  republishLagMs: number | null;
}

/** Upload outcomes of one time bucket with one sequence of broadcasters tried. */
export interface AttemptBucket {
  bucketStart: number;
  /** Addresses tried, in order: the last one succeeded when `uploaded`, every one failed otherwise. */
  broadcasters: string[];
  uploaded: boolean;
  n: number;
  roundTripMsTotal: number;
  roundTrips: number;
}

/** Drops of one session since a time, by reason. */
export type DropsBySession = Map<string, Record<string, number>>;

const NOT_LISTED_STATES = ['ingested', 'queued', 'uploaded'];

/**
 * Time series of the ledger for the admin dashboard. Every query is bounded: a session's rows by
 * a seq range of its primary key, all sessions by the `(state, ingested_at)` index over a window.
 */
@Injectable()
export class SegmentHistoryRepository {
  private readonly segments: Repository<SegmentEntity>;
  private readonly renditions: Repository<RenditionSegmentEntity>;

  constructor(ds: DataSource) {
    this.segments = ds.getRepository(SegmentEntity);
    this.renditions = ds.getRepository(RenditionSegmentEntity);
  }

  /**
   * The session's segments ingested since `since`, at most the newest `limit`, oldest first. The
   * seq floor (newest seq - limit) keeps the primary-key scan short however long the session ran.
   */
  async sessionSegments(sessionId: string, since: number, limit: number): Promise<SegmentPoint[]> {
    const newest = await this.segments.findOne({ where: { sessionId }, order: { seq: 'DESC' }, select: { seq: true } });
    if (!newest) return [];
    const rows = await this.segments
      .createQueryBuilder('s')
      .leftJoin(RenditionSegmentEntity, 'r', 'r.session_id = s.session_id AND r.seq = s.seq AND r.rendition = :source', {
        source: SOURCE_RENDITION,
      })
      .select('s.seq', 'seq')
      .addSelect('s.ingested_at', 'ingestedAt')
      .addSelect('s.state', 'state')
      .addSelect('s.drop_reason', 'ledgerReason')
      .addSelect('s.round_trip_ms', 'roundTripMs')
      .addSelect('r.state', 'listedState')
      .addSelect('r.drop_reason', 'playlistReason')
      .addSelect('r.republished_at', 'republishedAt')
      .where('s.session_id = :sessionId AND s.seq > :floor AND s.ingested_at >= :since', {
        sessionId,
        floor: newest.seq - limit,
        since,
      })
      .orderBy('s.seq', 'ASC')
      .getRawMany<{
        seq: number | string;
        ingestedAt: number | string;
        state: string;
        ledgerReason: string | null;
        roundTripMs: number | string | null;
        listedState: string | null;
        playlistReason: string | null;
        republishedAt: number | string | null;
      }>();
    return rows.map((r) => {
      const ingestedAt = Number(r.ingestedAt);
      const skipped = r.listedState === 'dropped';
      return {
        seq: Number(r.seq),
        ingestedAt,
        state: skipped && r.state !== 'dropped' ? 'dropped' : r.state,
        dropReason: r.ledgerReason ?? (skipped ? r.playlistReason : null),
        roundTripMs: r.roundTripMs === null ? null : Number(r.roundTripMs),
        republishLagMs: r.listedState === 'republished' && r.republishedAt !== null ? Number(r.republishedAt) - ingestedAt : null,
      };
    });
  }

  /**
   * The newest segment the session's source variant lists (every variant lists the same seqs at
   * the same times): its program date-time and duration. A backward scan of the primary key from
   * the session's newest seq, so it stops at the first listed row however long the session ran.
   */
  async newestListed(sessionId: string): Promise<{ seq: number; programDateTime: number | null; durationMs: number | null } | undefined> {
    const row = await this.renditions.findOne({
      where: { sessionId, rendition: SOURCE_RENDITION, state: 'republished' },
      order: { seq: 'DESC' },
      select: { seq: true, programDateTime: true, durationMs: true },
    });
    return row ? { seq: row.seq, programDateTime: row.programDateTime, durationMs: row.durationMs } : undefined;
  }

  /**
   * Upload outcomes since `since` in buckets of `bucketMs`, grouped by the broadcasters tried:
   * few groups (buckets x attempt sequences), aggregated in the database over the
   * `(state, ingested_at)` index.
   */
  async attemptBuckets(since: number, bucketMs: number): Promise<AttemptBucket[]> {
    if (!Number.isInteger(bucketMs) || bucketMs <= 0) throw new Error(`bucketMs must be a positive integer, not ${bucketMs}`);
    // Integer division on both PostgreSQL (bigint) and SQLite (integer); the divisor is a checked integer literal.
    const bucket = `(s.ingested_at / ${bucketMs})`;
    const rows = await this.segments
      .createQueryBuilder('s')
      .select(bucket, 'bucket')
      .addSelect('s.broadcasters', 'broadcasters')
      .addSelect('s.uploaded_at IS NOT NULL', 'uploaded')
      .addSelect('COUNT(*)', 'n')
      .addSelect('COALESCE(SUM(s.round_trip_ms), 0)', 'roundTripMsTotal')
      .addSelect('COUNT(s.round_trip_ms)', 'roundTrips')
      .where('s.state IN (:...states) AND s.ingested_at >= :since', { states: ['uploaded', 'republished', 'dropped'], since })
      .groupBy(bucket)
      .addGroupBy('s.broadcasters')
      .addGroupBy('s.uploaded_at IS NOT NULL')
      .getRawMany<{
        bucket: number | string;
        broadcasters: string;
        uploaded: boolean | number | string;
        n: number | string;
        roundTripMsTotal: number | string;
        roundTrips: number | string;
      }>();
    return rows
      .map((r) => ({
        bucketStart: Number(r.bucket) * bucketMs,
        broadcasters: parseAddresses(r.broadcasters),
        uploaded: r.uploaded === true || Number(r.uploaded) === 1,
        n: Number(r.n),
        roundTripMsTotal: Number(r.roundTripMsTotal),
        roundTrips: Number(r.roundTrips),
      }))
      .filter((r) => r.broadcasters.length > 0);
  }

  /**
   * Source seqs ingested since `since` and dropped, per session and reason: by the ledger, or
   * skipped by the stitcher while the ledger row stayed short of republished. Both over the
   * `(state, ingested_at)` index; the second reads only rows not listed (few in steady state).
   */
  async dropsSince(sessionIds: string[], since: number): Promise<DropsBySession> {
    const out: DropsBySession = new Map(sessionIds.map((id) => [id, {}]));
    if (sessionIds.length === 0) return out;
    const ledger = await this.segments
      .createQueryBuilder('s')
      .select('s.session_id', 'sessionId')
      .addSelect('s.drop_reason', 'reason')
      .addSelect('COUNT(*)', 'n')
      .where('s.state = :dropped AND s.ingested_at >= :since AND s.session_id IN (:...sessionIds)', {
        dropped: 'dropped',
        since,
        sessionIds,
      })
      .groupBy('s.session_id')
      .addGroupBy('s.drop_reason')
      .getRawMany<{ sessionId: string; reason: string | null; n: number | string }>();
    const skipped = await this.segments
      .createQueryBuilder('s')
      .innerJoin(RenditionSegmentEntity, 'r', 'r.session_id = s.session_id AND r.seq = s.seq AND r.rendition = :source', {
        source: SOURCE_RENDITION,
      })
      .select('s.session_id', 'sessionId')
      .addSelect('r.drop_reason', 'reason')
      .addSelect('COUNT(*)', 'n')
      .where('s.state IN (:...states) AND s.ingested_at >= :since AND s.session_id IN (:...sessionIds)', {
        states: NOT_LISTED_STATES,
        since,
        sessionIds,
      })
      .andWhere('r.state = :dropped', { dropped: 'dropped' })
      .groupBy('s.session_id')
      .addGroupBy('r.drop_reason')
      .getRawMany<{ sessionId: string; reason: string | null; n: number | string }>();
    for (const r of [...ledger, ...skipped]) {
      const reasons = out.get(r.sessionId)!;
      const reason = r.reason ?? 'unknown';
      reasons[reason] = (reasons[reason] ?? 0) + Number(r.n);
    }
    return out;
  }
}

/** The simple-json text of `broadcasters` (an array of addresses); anything else counts as none. */
function parseAddresses(text: string): string[] {
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? parsed.filter((a): a is string => typeof a === 'string') : [];
  } catch {
    return [];
  }
}
