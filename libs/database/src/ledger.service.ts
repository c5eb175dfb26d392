import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, LessThan, MoreThanOrEqual, Repository } from 'typeorm';
import { RenditionSegmentEntity, SegmentEntity } from './entities';
import { LOCAL_FALLBACK_BROADCASTER, SOURCE_RENDITION, type DropReason, type SegmentState } from './ledger-states';

export interface IngestedSegment {
  sessionId: string;
  streamId: string;
  seq: number;
  durationMs: number;
  bytes: number;
  resolution: string | null;
  objectKey: string;
  ingestedAt: number;
  /** When the segment's first frame reached ingest (epoch ms). */
  startedAt?: number | null;
}

/** The fields of a ledger row the stitcher's frontier reads. */
export type LedgerWindowRow = Pick<
  SegmentEntity,
  'seq' | 'state' | 'ingestedAt' | 'queuedAt' | 'durationMs' | 'uploadedAt' | 'objectKey' | 'startedAt' | 'renditions' | 'dropReason'
>;

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

/** LedgerCounts plus what the admin API shows beside them. */
export interface SessionSegmentCounts extends LedgerCounts {
  /** Rows that were queued at some point (whatever became of them). */
  reachedQueued: number;
  /** Rows a broadcaster confirmed (transcoded) at some point. */
  reachedUploaded: number;
  /** Source seqs the stitcher skipped in its playlists although the ledger has them not dropped, by reason. */
  skippedInPlaylists: Record<string, number>;
}

const emptyCounts = (): SessionSegmentCounts => ({
  total: 0,
  byState: {},
  dropReasons: {},
  reachedQueued: 0,
  reachedUploaded: 0,
  skippedInPlaylists: {},
});

const add = (into: Record<string, number>, key: string, n: number) => {
  into[key] = (into[key] ?? 0) + n;
};

/** The segment ledger, shared by ingest, worker and stitcher; the only writer of segment states. */
@Injectable()
export class LedgerService {
  constructor(@InjectRepository(SegmentEntity) private readonly segments: Repository<SegmentEntity>) {}

  /** Idempotent: a segment recorded twice (a retried write) keeps its first row. */
  async recordIngested(s: IngestedSegment): Promise<void> {
    await this.segments
      .createQueryBuilder()
      .insert()
      .values({ ...s, state: 'ingested', broadcasters: [], updatedAt: Date.now() })
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

  /** `renditions`: where the push answer's renditions were stored (name -> object key), if it had any. */
  markUploaded(
    sessionId: string,
    seq: number,
    upload: { uploadMs: number; roundTripMs: number; renditions?: Record<string, string> | null },
  ): Promise<boolean> {
    const { renditions, ...timing } = upload;
    return this.transition(sessionId, seq, 'uploaded', { ...timing, renditions: renditions ?? null, uploadedAt: Date.now() });
  }

  /**
   * Where a repush stored the renditions of a segment already `uploaded` (markUploaded does not
   * touch a settled row): one UPDATE of the column that leaves the state where it is.
   */
  async recordRenditions(sessionId: string, seq: number, renditions: Record<string, string>): Promise<boolean> {
    const result = await this.segments
      .createQueryBuilder()
      .update()
      .set({ renditions, updatedAt: Date.now() })
      .where({ sessionId, seq, state: 'uploaded' })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  markDropped(sessionId: string, seq: number, reason: DropReason, detail?: string): Promise<boolean> {
    return this.transition(sessionId, seq, 'dropped', { dropReason: reason, dropDetail: detail?.slice(0, 2000) ?? null });
  }

  markRepublished(sessionId: string, seq: number): Promise<boolean> {
    return this.transition(sessionId, seq, 'republished');
  }

  /**
   * One upload attempt towards a broadcaster (kept in order, for the timeline and the admin API).
   * One UPDATE that appends to the stored JSON array in the database, so workers recording
   * attempts on the same row at once never overwrite each other's.
   */
  async recordAttempt(sessionId: string, seq: number, broadcaster: string): Promise<void> {
    await this.segments
      .createQueryBuilder()
      .update()
      .set({ broadcasters: () => this.appendToJsonArray('broadcasters'), updatedAt: Date.now() })
      .where({ sessionId, seq })
      .setParameter('appended', broadcaster)
      .execute();
  }

  /** `column` (a JSON array in a text column, as simple-json stores it) with :appended at its end. */
  private appendToJsonArray(column: string): string {
    if (this.segments.manager.connection.options.type === 'postgres') {
      return `("${column}"::jsonb || to_jsonb(CAST(:appended AS text)))::text`;
    }
    return `json_insert("${column}", '$[#]', :appended)`;
  }

  /**
   * The session's segments a worker transcoded itself (`LOCAL_FALLBACK_BROADCASTER` among the
   * broadcasters tried), oldest first, with when they were delivered.
   */
  async localTranscodes(sessionId: string): Promise<{ seq: number; ingestedAt: number; uploadedAt: number | null }[]> {
    const rows = await this.segments
      .createQueryBuilder('s')
      .select(['s.seq', 's.ingestedAt', 's.uploadedAt'])
      .where('s.session_id = :sessionId', { sessionId })
      // simple-json is text on both databases: the quoted name matches one array element exactly.
      .andWhere('s.broadcasters LIKE :marker', { marker: `%${JSON.stringify(LOCAL_FALLBACK_BROADCASTER)}%` })
      .orderBy('s.seq', 'ASC')
      .getMany();
    return rows.map((r) => ({ seq: r.seq, ingestedAt: r.ingestedAt, uploadedAt: r.uploadedAt }));
  }

  get(sessionId: string, seq: number): Promise<SegmentEntity | null> {
    return this.segments.findOneBy({ sessionId, seq });
  }

  list(sessionId: string): Promise<SegmentEntity[]> {
    return this.segments.find({ where: { sessionId }, order: { seq: 'ASC' } });
  }

  /** The session's newest `limit` rows, oldest first. */
  async newest(sessionId: string, limit: number): Promise<SegmentEntity[]> {
    return (await this.segments.find({ where: { sessionId }, order: { seq: 'DESC' }, take: limit })).reverse();
  }

  /**
   * A page of the timeline, newest first then given oldest first: the newest `limit` rows below
   * `beforeSeq` (the cursor: the lowest seq of the previous page), optionally in one state.
   */
  async page(sessionId: string, page: { limit: number; beforeSeq?: number; state?: SegmentState }): Promise<SegmentEntity[]> {
    const where: Record<string, unknown> = { sessionId };
    if (page.beforeSeq !== undefined) where.seq = LessThan(page.beforeSeq);
    if (page.state) where.state = page.state;
    return (await this.segments.find({ where, order: { seq: 'DESC' }, take: page.limit })).reverse();
  }

  /** The first `limit` rows at and after `fromSeq` (from the first row when undefined), in seq order. */
  window(sessionId: string, fromSeq: number | undefined, limit: number): Promise<LedgerWindowRow[]> {
    return this.segments.find({
      where: { sessionId, ...(fromSeq === undefined ? {} : { seq: MoreThanOrEqual(fromSeq) }) },
      order: { seq: 'ASC' },
      take: limit,
      select: {
        seq: true,
        state: true,
        ingestedAt: true,
        queuedAt: true,
        durationMs: true,
        uploadedAt: true,
        objectKey: true,
        startedAt: true,
        renditions: true,
        dropReason: true,
      },
    });
  }

  /** When ingest recorded each of these seqs of a session. */
  async ingestedAtOf(sessionId: string, seqs: number[]): Promise<Map<number, number>> {
    if (seqs.length === 0) return new Map();
    const rows = await this.segments.find({ where: { sessionId, seq: In(seqs) }, select: { seq: true, ingestedAt: true } });
    return new Map(rows.map((r) => [r.seq, r.ingestedAt]));
  }

  /** Retention: deletes the rows ingested before `cutoff`; returns how many. */
  async pruneIngestedBefore(cutoff: number): Promise<number> {
    return (await this.segments.delete({ ingestedAt: LessThan(cutoff) })).affected ?? 0;
  }

  /** Counts per state and per drop reason: "nothing lost" as one query. */
  async counts(sessionId: string): Promise<LedgerCounts> {
    const { total, byState, dropReasons } = (await this.countsBySession([sessionId])).get(sessionId)!;
    return { total, byState, dropReasons };
  }

  /**
   * The one count of segments, for any number of sessions: per state and drop reason, how many
   * were queued and uploaded at some point, and the source seqs the stitcher skipped in its
   * playlists although the ledger does not have them dropped.
   */
  async countsBySession(ids: string[]): Promise<Map<string, SessionSegmentCounts>> {
    const out = new Map(ids.map((id) => [id, emptyCounts()]));
    if (ids.length === 0) return out;
    const ledger = await this.segments
      .createQueryBuilder('s')
      .select('s.session_id', 'sessionId')
      .addSelect('s.state', 'state')
      .addSelect('s.drop_reason', 'reason')
      .addSelect('COUNT(*)', 'n')
      .addSelect('COUNT(s.queued_at)', 'queued')
      .addSelect('COUNT(s.uploaded_at)', 'uploaded')
      .where('s.session_id IN (:...ids)', { ids })
      .groupBy('s.session_id')
      .addGroupBy('s.state')
      .addGroupBy('s.drop_reason')
      .getRawMany<{
        sessionId: string;
        state: string;
        reason: string | null;
        n: string | number;
        queued: string | number;
        uploaded: string | number;
      }>();
    for (const r of ledger) {
      const c = out.get(r.sessionId)!;
      const n = Number(r.n);
      c.total += n;
      add(c.byState, r.state, n);
      if (r.reason) add(c.dropReasons, r.reason, n);
      c.reachedQueued += Number(r.queued);
      c.reachedUploaded += Number(r.uploaded);
    }
    // Every variant of a seq is skipped at once: the source variant's row counts the seq once.
    const skipped = await this.segments.manager
      .getRepository(RenditionSegmentEntity)
      .createQueryBuilder('r')
      .innerJoin(SegmentEntity, 's', 's.session_id = r.session_id AND s.seq = r.seq')
      .select('r.session_id', 'sessionId')
      .addSelect('r.drop_reason', 'reason')
      .addSelect('COUNT(DISTINCT r.seq)', 'n')
      .where('r.session_id IN (:...ids)', { ids })
      .andWhere('r.state = :dropped AND r.rendition = :source AND s.state <> :dropped', { dropped: 'dropped', source: SOURCE_RENDITION })
      .groupBy('r.session_id')
      .addGroupBy('r.drop_reason')
      .getRawMany<{ sessionId: string; reason: string; n: string | number }>();
    for (const r of skipped) add(out.get(r.sessionId)!.skippedInPlaylists, r.reason, Number(r.n));
    return out;
  }
}
