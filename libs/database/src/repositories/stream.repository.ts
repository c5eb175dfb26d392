import { Injectable } from '@nestjs/common';
import { DataSource, In, type Repository } from 'typeorm';
import { RenditionSegmentEntity, SegmentEntity, SessionEntity, StreamEntity } from '../entities';

/** A page of streams: oldest first, optionally only enabled/disabled ones or names containing `name`. */
export interface StreamPage {
  limit: number;
  offset: number;
  enabled?: boolean;
  name?: string;
  /** Only these ids (e.g. the streams with a live session). */
  ids?: string[];
}

/** The streams table (written by the streams library, read by ingest and the stitcher). */
@Injectable()
export class StreamRepository {
  private readonly rows: Repository<StreamEntity>;

  constructor(ds: DataSource) {
    this.rows = ds.getRepository(StreamEntity);
  }

  async insert(stream: StreamEntity): Promise<void> {
    await this.rows.insert(stream);
  }

  async save(stream: StreamEntity): Promise<void> {
    await this.rows.save(stream);
  }

  /** Oldest first. */
  list(): Promise<StreamEntity[]> {
    return this.rows.find({ order: { createdAt: 'ASC' } });
  }

  page(page: StreamPage): Promise<StreamEntity[]> {
    const q = this.rows.createQueryBuilder('s').orderBy('s.created_at', 'ASC').addOrderBy('s.id', 'ASC').skip(page.offset).take(page.limit);
    if (page.enabled !== undefined) q.andWhere('s.enabled = :enabled', { enabled: page.enabled });
    if (page.name) q.andWhere('LOWER(s.name) LIKE :name', { name: `%${page.name.toLowerCase().replace(/[%_\\]/g, '')}%` });
    if (page.ids) {
      if (page.ids.length === 0) return Promise.resolve([]);
      q.andWhere('s.id IN (:...ids)', { ids: page.ids });
    }
    return q.getMany();
  }

  /**
   * Deletes the stream with its sessions, ledger rows and rendition rows in one transaction;
   * returns the session ids (their objects are the caller's to remove), or null when there was no such stream.
   */
  async deleteWithHistory(id: string): Promise<{ sessionIds: string[]; playbackId: string } | null> {
    return this.rows.manager.transaction(async (m) => {
      const stream = await m.getRepository(StreamEntity).findOneBy({ id });
      if (!stream) return null;
      const sessions = await m.getRepository(SessionEntity).find({ where: { streamId: id }, select: { id: true } });
      const sessionIds = sessions.map((s) => s.id);
      if (sessionIds.length) await m.getRepository(RenditionSegmentEntity).delete({ sessionId: In(sessionIds) });
      await m.getRepository(SegmentEntity).delete({ streamId: id });
      await m.getRepository(SessionEntity).delete({ streamId: id });
      await m.getRepository(StreamEntity).delete({ id });
      return { sessionIds, playbackId: stream.playbackId };
    });
  }

  get(id: string): Promise<StreamEntity | null> {
    return this.rows.findOneBy({ id });
  }

  byPlaybackId(playbackId: string): Promise<StreamEntity | null> {
    return this.rows.findOneBy({ playbackId });
  }

  byKeyHash(keyHash: string): Promise<StreamEntity | null> {
    return this.rows.findOneBy({ keyHash });
  }

  /** The streams of these ids, by id (duplicates allowed). */
  async byIds(ids: string[]): Promise<Map<string, StreamEntity>> {
    if (ids.length === 0) return new Map();
    const rows = await this.rows.findBy({ id: In([...new Set(ids)]) });
    return new Map(rows.map((r) => [r.id, r]));
  }
}
