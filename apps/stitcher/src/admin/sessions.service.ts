import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { RenditionSegmentEntity, SegmentEntity, SessionEntity, StreamEntity } from '@lib/database';
import { SOURCE_VARIANT, renditionsOf } from '../republish/session-republisher';

export interface SegmentCounts {
  ingested: number;
  queued: number;
  /** A broadcaster answers a push only once it has transcoded it: uploaded = transcoded. */
  uploaded: number;
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

const LIVE_STATES = ['starting', 'live'];
const ENDED_STATES = ['ended', 'failed'];

/** Read models of sessions for the admin API: summaries, counts, per-rendition lag, timelines. */
@Injectable()
export class SessionsQuery {
  constructor(
    @InjectRepository(SessionEntity) private readonly sessions: Repository<SessionEntity>,
    @InjectRepository(StreamEntity) private readonly streams: Repository<StreamEntity>,
    @InjectRepository(SegmentEntity) private readonly segments: Repository<SegmentEntity>,
    @InjectRepository(RenditionSegmentEntity) private readonly renditionRows: Repository<RenditionSegmentEntity>,
  ) {}

  async list(filter: { state: 'live' | 'ended' | 'all'; streamId?: string; limit: number }) {
    const where: Record<string, unknown> = {};
    if (filter.state !== 'all') where.state = In(filter.state === 'live' ? LIVE_STATES : ENDED_STATES);
    if (filter.streamId) where.streamId = filter.streamId;
    const rows = await this.sessions.find({ where, order: { startedAt: 'DESC' }, take: filter.limit });
    const streams = await this.streamsById(rows.map((r) => r.streamId));
    const counts = await this.countsBySession(rows.map((r) => r.id));
    return rows.map((r) => ({ ...this.summary(r, streams.get(r.streamId)), counts: counts.get(r.id) ?? emptyCounts() }));
  }

  async detail(id: string) {
    const session = await this.sessions.findOneBy({ id });
    if (!session) throw new NotFoundException(`no session with id ${id}`);
    const stream = await this.streams.findOneBy({ id: session.streamId });
    const counts = (await this.countsBySession([id])).get(id) ?? emptyCounts();
    return { ...this.summary(session, stream ?? undefined), counts, renditions: await this.renditionStatus(session) };
  }

  /** Per source segment: the ledger row and what each variant made of it, oldest first (the newest `limit`). */
  async timeline(id: string, limit: number) {
    if (!(await this.sessions.existsBy({ id }))) throw new NotFoundException(`no session with id ${id}`);
    const ledger = (await this.segments.find({ where: { sessionId: id }, order: { seq: 'DESC' }, take: limit })).reverse();
    if (ledger.length === 0) return [];
    const rows = await this.renditionRows.find({ where: { sessionId: id, seq: In(ledger.map((s) => s.seq)) } });
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
        renditions: Object.fromEntries(variants.map((v) => [v.rendition, { state: v.state, msn: v.msn, dropReason: v.dropReason, bytes: v.bytes }])),
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

  private async streamsById(ids: string[]): Promise<Map<string, StreamEntity>> {
    if (ids.length === 0) return new Map();
    const rows = await this.streams.findBy({ id: In([...new Set(ids)]) });
    return new Map(rows.map((r) => [r.id, r]));
  }

  /** Ledger counts per session, plus the stitcher's drops (a segment skipped in the playlists). */
  private async countsBySession(ids: string[]): Promise<Map<string, SegmentCounts>> {
    const out = new Map<string, SegmentCounts>(ids.map((id) => [id, emptyCounts()]));
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
      .getRawMany<{ sessionId: string; state: string; reason: string | null; n: string; queued: string; uploaded: string }>();
    for (const r of ledger) {
      const c = out.get(r.sessionId)!;
      const n = Number(r.n);
      c.ingested += n;
      c.queued += Number(r.queued);
      c.uploaded += Number(r.uploaded);
      if (r.state === 'republished') c.republished += n;
      if (r.state === 'dropped' && r.reason) addDrop(c, r.reason, n);
    }
    // Segments the stitcher skipped although the worker delivered them (not dropped in the ledger).
    const skipped = await this.renditionRows
      .createQueryBuilder('r')
      .innerJoin(SegmentEntity, 's', 's.session_id = r.session_id AND s.seq = r.seq')
      .select('r.session_id', 'sessionId')
      .addSelect('r.drop_reason', 'reason')
      .addSelect('COUNT(DISTINCT r.seq)', 'n')
      .where('r.session_id IN (:...ids)', { ids })
      .andWhere('r.state = :dropped AND r.rendition = :source AND s.state <> :dropped', { dropped: 'dropped', source: SOURCE_VARIANT })
      .groupBy('r.session_id')
      .addGroupBy('r.drop_reason')
      .getRawMany<{ sessionId: string; reason: string; n: string }>();
    for (const r of skipped) addDrop(out.get(r.sessionId)!, r.reason, Number(r.n));
    for (const c of out.values()) c.transcoded = c.uploaded;
    return out;
  }

  private async renditionStatus(session: SessionEntity): Promise<RenditionStatus[]> {
    const names = [...(session.livepeerStreamId ? renditionsOf(session, '').map((r) => r.name) : []), SOURCE_VARIANT];
    const newest = await this.segments.findOne({ where: { sessionId: session.id }, order: { seq: 'DESC' } });
    const rows = await this.renditionRows
      .createQueryBuilder('r')
      .select('r.rendition', 'rendition')
      .addSelect('r.state', 'state')
      .addSelect('r.drop_reason', 'reason')
      .addSelect('COUNT(*)', 'n')
      .addSelect('MAX(r.seq)', 'lastSeq')
      .addSelect('MAX(r.msn)', 'lastMsn')
      .addSelect('MAX(r.republished_at)', 'lastAt')
      .where('r.session_id = :id', { id: session.id })
      .groupBy('r.rendition')
      .addGroupBy('r.state')
      .addGroupBy('r.drop_reason')
      .getRawMany<{ rendition: string; state: string; reason: string | null; n: string; lastSeq: string | null; lastMsn: string | null; lastAt: string | null }>();
    const lastIngestedAt = new Map<number, number>();
    const statuses = names.map((name): RenditionStatus => {
      const mine = rows.filter((r) => r.rendition === name);
      const listed = mine.find((r) => r.state === 'republished');
      const lastSeq = listed?.lastSeq == null ? null : Number(listed.lastSeq);
      return {
        name,
        republished: Number(listed?.n ?? 0),
        dropped: Object.fromEntries(mine.filter((r) => r.state === 'dropped').map((r) => [r.reason ?? 'unknown', Number(r.n)])),
        lastSeq,
        lastMsn: listed?.lastMsn == null ? null : Number(listed.lastMsn),
        lastRepublishedAt: listed?.lastAt == null ? null : Number(listed.lastAt),
        lagSegments: newest ? newest.seq - (lastSeq ?? -1) : 0,
        lagSeconds: 0,
      };
    });
    // Lag in seconds: ingest time of the newest segment minus that of the rendition's newest listed one.
    const seqs = [...new Set(statuses.map((s) => s.lastSeq).filter((s): s is number => s !== null))];
    if (seqs.length) {
      for (const s of await this.segments.find({ where: { sessionId: session.id, seq: In(seqs) }, select: { seq: true, ingestedAt: true } })) {
        lastIngestedAt.set(s.seq, s.ingestedAt);
      }
    }
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

function addDrop(c: SegmentCounts, reason: string, n: number): void {
  c.dropped.total += n;
  c.dropped.byReason[reason] = (c.dropped.byReason[reason] ?? 0) + n;
}
