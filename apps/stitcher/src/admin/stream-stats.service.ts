import { Injectable } from '@nestjs/common';
import { SessionRepository, StreamStatsRepository, type TrafficStats } from '@lib/database';
import type { StreamView } from '@lib/streams';

/** A stream object with its live statistics (summed over its sessions). */
export type StreamWithStats = StreamView & TrafficStats & { isActive: boolean; liveSessionId: string | null };

/** The stream objects of the admin API: the stored stream plus what its sessions did (Livepeer Studio's names). */
@Injectable()
export class StreamStatsQuery {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly stats: StreamStatsRepository,
  ) {}

  async liveSessionsByStream(): Promise<Map<string, string>> {
    return new Map((await this.sessions.live()).map((s) => [s.streamId, s.id]));
  }

  async withStats(streams: StreamView[], live?: Map<string, string>): Promise<StreamWithStats[]> {
    const liveByStream = live ?? (await this.liveSessionsByStream());
    const stats = await this.stats.byStream(streams.map((s) => s.id));
    return streams.map((s) => ({
      ...s,
      isActive: liveByStream.has(s.id),
      liveSessionId: liveByStream.get(s.id) ?? null,
      ...stats.get(s.id)!,
    }));
  }
}
