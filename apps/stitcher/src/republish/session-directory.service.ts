import { Injectable } from '@nestjs/common';
import { SessionRepository, StreamRepository, type SessionEntity, type StreamEntity } from '@lib/database';

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
    private readonly sessions: SessionRepository,
    private readonly streams: StreamRepository,
  ) {}

  async unfinishedByStream(): Promise<Map<string, StreamWork>> {
    const sessions = await this.sessions.unfinished();
    const work = new Map<string, StreamWork>();
    if (sessions.length === 0) return work;
    const streams = await this.streams.byIds(sessions.map((s) => s.streamId));
    for (const stream of streams.values()) work.set(stream.id, { stream, sessions: [] });
    for (const session of sessions) work.get(session.streamId)?.sessions.push(session);
    return work;
  }
}
