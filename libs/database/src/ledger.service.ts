import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { SegmentEntity } from './entities';
import type { DropReason, SegmentState } from './ledger-states';

export interface IngestedSegment {
  sessionId: string;
  streamId: string;
  seq: number;
  durationMs: number;
  bytes: number;
  resolution: string | null;
  objectKey: string;
  ingestedAt: number;
}

/**
 * States a segment may move to from each state. The ledger only moves forward, so a
 * late writer (a retried job, a slow worker) can never undo an outcome.
 */
const ALLOWED_FROM: Record<SegmentState, SegmentState[]> = {
  ingested: [],
  queued: ['ingested'],
  uploaded: ['ingested', 'queued'],
  republished: ['ingested', 'queued', 'uploaded'],
  dropped: ['ingested', 'queued'],
};

export interface LedgerCounts {
  total: number;
  byState: Record<string, number>;
  dropReasons: Record<string, number>;
}

/** The segment ledger, shared by ingest, worker and stitcher (design: "Segment ledger"). */
@Injectable()
export class LedgerService {
  constructor(@InjectRepository(SegmentEntity) private readonly segments: Repository<SegmentEntity>) {}

  /** Idempotent: a segment recorded twice (a retried write) keeps its first row. */
  async recordIngested(s: IngestedSegment): Promise<void> {
    await this.segments
      .createQueryBuilder()
      .insert()
      .values({ ...s, state: 'ingested', broadcasters: [], attempts: 0, updatedAt: Date.now() })
      .orIgnore()
      .execute();
  }

  /** Moves a segment to `state` if its current state allows it; returns whether it moved. */
  async transition(sessionId: string, seq: number, state: SegmentState, fields: Partial<SegmentEntity> = {}): Promise<boolean> {
    const result = await this.segments
      .createQueryBuilder()
      .update()
      .set({ ...fields, state, updatedAt: Date.now() })
      .where({ sessionId, seq, state: In(ALLOWED_FROM[state]) })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  markQueued(sessionId: string, seq: number): Promise<boolean> {
    return this.transition(sessionId, seq, 'queued', { queuedAt: Date.now() });
  }

  markUploaded(sessionId: string, seq: number, timing: { uploadMs: number; roundTripMs: number }): Promise<boolean> {
    return this.transition(sessionId, seq, 'uploaded', { ...timing, uploadedAt: Date.now() });
  }

  markDropped(sessionId: string, seq: number, reason: DropReason, detail?: string): Promise<boolean> {
    return this.transition(sessionId, seq, 'dropped', { dropReason: reason, dropDetail: detail?.slice(0, 2000) ?? null });
  }

  markRepublished(sessionId: string, seq: number): Promise<boolean> {
    return this.transition(sessionId, seq, 'republished');
  }

  /** One upload attempt towards a broadcaster (kept in order, for the timeline and the admin API). */
  async recordAttempt(sessionId: string, seq: number, broadcaster: string): Promise<void> {
    const row = await this.segments.findOneBy({ sessionId, seq });
    if (!row) return;
    await this.segments.update(
      { sessionId, seq },
      { attempts: row.attempts + 1, broadcasters: [...row.broadcasters, broadcaster], updatedAt: Date.now() },
    );
  }

  get(sessionId: string, seq: number): Promise<SegmentEntity | null> {
    return this.segments.findOneBy({ sessionId, seq });
  }

  list(sessionId: string): Promise<SegmentEntity[]> {
    return this.segments.find({ where: { sessionId }, order: { seq: 'ASC' } });
  }

  /** Counts per state and per drop reason: "nothing lost" as one query. */
  async counts(sessionId: string): Promise<LedgerCounts> {
    const rows: { state: string; reason: string | null; n: string | number }[] = await this.segments
      .createQueryBuilder('s')
      .select('s.state', 'state')
      .addSelect('s.drop_reason', 'reason')
      .addSelect('COUNT(*)', 'n')
      .where('s.session_id = :sessionId', { sessionId })
      .groupBy('s.state')
      .addGroupBy('s.drop_reason')
      .getRawMany();
    const counts: LedgerCounts = { total: 0, byState: {}, dropReasons: {} };
    for (const r of rows) {
      const n = Number(r.n);
      counts.total += n;
      counts.byState[r.state] = (counts.byState[r.state] ?? 0) + n;
      if (r.reason) counts.dropReasons[r.reason] = (counts.dropReasons[r.reason] ?? 0) + n;
    }
    return counts;
  }
}
