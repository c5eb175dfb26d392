import { Injectable } from '@nestjs/common';
import { DataSource, In, IsNull, LessThan, MoreThan, Not, type Repository } from 'typeorm';
import { SessionEntity } from '../entities';
import type { SessionState } from '../ledger-states';

const LIVE_STATES: SessionState[] = ['starting', 'live'];
const ENDED_STATES: SessionState[] = ['ended', 'failed'];

export type SessionFields = Partial<Omit<SessionEntity, 'id'>>;

/** The sessions table: written by ingest (a publish's life) and the stitcher (its progress). */
@Injectable()
export class SessionRepository {
  private readonly rows: Repository<SessionEntity>;

  constructor(ds: DataSource) {
    this.rows = ds.getRepository(SessionEntity);
  }

  async insert(session: SessionEntity): Promise<void> {
    await this.rows.insert(session);
  }

  async update(id: string, fields: SessionFields): Promise<void> {
    await this.rows.update({ id }, fields);
  }

  /** Applies `fields` only while the session is in `state`; returns whether it was. */
  async updateIfState(id: string, state: SessionState, fields: SessionFields): Promise<boolean> {
    const result = await this.rows.update({ id, state }, fields);
    return (result.affected ?? 0) > 0;
  }

  get(id: string): Promise<SessionEntity | null> {
    return this.rows.findOneBy({ id });
  }

  exists(id: string): Promise<boolean> {
    return this.rows.existsBy({ id });
  }

  /** Newest first; `live` = starting or live, `ended` = ended or failed. */
  list(filter: {
    state: 'live' | 'ended' | 'all';
    streamId?: string;
    protocol?: string;
    limit: number;
    offset?: number;
  }): Promise<SessionEntity[]> {
    const where: Record<string, unknown> = {};
    if (filter.state !== 'all') where.state = In(filter.state === 'live' ? LIVE_STATES : ENDED_STATES);
    if (filter.streamId) where.streamId = filter.streamId;
    if (filter.protocol) where.protocol = filter.protocol;
    return this.rows.find({ where, order: { startedAt: 'DESC', id: 'ASC' }, skip: filter.offset ?? 0, take: filter.limit });
  }

  /** Sessions being published now (starting or live). */
  live(): Promise<Pick<SessionEntity, 'id' | 'streamId' | 'startedAt'>[]> {
    return this.rows.find({ where: { state: In(LIVE_STATES) }, select: { id: true, streamId: true, startedAt: true } });
  }

  /** Sessions with a Livepeer stream whose playlists the stitcher has not closed yet, oldest first. */
  unfinished(): Promise<SessionEntity[]> {
    return this.rows.find({
      where: { livepeerStreamId: Not(IsNull()), playlistEndedAt: IsNull(), state: In([...LIVE_STATES, ...ENDED_STATES]) },
      order: { startedAt: 'ASC' },
    });
  }

  /**
   * Closed sessions (playlists ended) that ended before `cutoff` (or, never marked ended, started
   * before it) and still have their objects: at most `limit`, those with an end first.
   */
  async expired(cutoff: number, limit: number): Promise<SessionEntity[]> {
    const base = { state: In(ENDED_STATES), purgedAt: IsNull(), playlistEndedAt: Not(IsNull()) };
    const ended = await this.rows.find({ where: { ...base, endedAt: LessThan(cutoff) }, take: limit });
    const neverEnded = await this.rows.find({ where: { ...base, endedAt: IsNull(), startedAt: LessThan(cutoff) }, take: limit });
    return [...ended, ...neverEnded].slice(0, limit);
  }

  /** Whether the stream had a session started after `startedAt`. */
  hasNewer(streamId: string, startedAt: number): Promise<boolean> {
    return this.rows.exists({ where: { streamId, startedAt: MoreThan(startedAt) } });
  }

  /** The ids among `ids` whose objects retention removed. */
  async purgedAmong(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.rows.find({ where: { id: In(ids), purgedAt: Not(IsNull()) }, select: { id: true } });
    return new Set(rows.map((s) => s.id));
  }

  markPlaylistEnded(id: string, at = Date.now()): Promise<void> {
    return this.update(id, { playlistEndedAt: at });
  }

  markPurged(id: string, at = Date.now()): Promise<void> {
    return this.update(id, { purgedAt: at });
  }
}
