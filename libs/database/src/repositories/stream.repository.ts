import { Injectable } from '@nestjs/common';
import { DataSource, In, type Repository } from 'typeorm';
import { StreamEntity } from '../entities';

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
