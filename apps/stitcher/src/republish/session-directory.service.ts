import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, IsNull, Not, Repository } from 'typeorm';
import { SessionEntity, StreamEntity } from '@lib/database';

export interface StreamWork {
  stream: StreamEntity;
  /** Sessions whose playlists are not closed yet, oldest first. */
  sessions: SessionEntity[];
}

/**
 * Which streams have republishing work: sessions that have a Livepeer stream and whose
 * playlists the stitcher has not closed yet (live ones, and ended ones still draining).
 */
@Injectable()
export class SessionDirectory {
  constructor(
    @InjectRepository(SessionEntity) private readonly sessions: Repository<SessionEntity>,
    @InjectRepository(StreamEntity) private readonly streams: Repository<StreamEntity>,
  ) {}

  async unfinishedByStream(): Promise<Map<string, StreamWork>> {
    const sessions = await this.sessions.find({
      where: {
        livepeerStreamId: Not(IsNull()),
        playlistEndedAt: IsNull(),
        state: In(['starting', 'live', 'ended', 'failed']),
      },
      order: { startedAt: 'ASC' },
    });
    const work = new Map<string, StreamWork>();
    if (sessions.length === 0) return work;
    const streams = await this.streams.findBy({ id: In([...new Set(sessions.map((s) => s.streamId))]) });
    for (const stream of streams) work.set(stream.id, { stream, sessions: [] });
    for (const session of sessions) work.get(session.streamId)?.sessions.push(session);
    return work;
  }
}
