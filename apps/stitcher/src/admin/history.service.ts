import { Injectable, NotFoundException } from '@nestjs/common';
import { SegmentHistoryRepository, SessionRepository, StreamRepository, type SegmentPoint } from '@lib/database';
import { broadcasterSeries, bucketStarts, dropSeries } from './history-series';

/** Chart buckets: a minute. */
export const HISTORY_BUCKET_MS = 60_000;
/** Segments per session in one answer: an hour of 1 s segments. */
const MAX_POINTS_PER_SESSION = 3600;
/** Sessions of one stream in one answer (reconnects within the window). */
const MAX_SESSIONS = 20;

/** The time series behind the dashboard's charts, from the ledger, over at most the last hour. */
@Injectable()
export class HistoryQuery {
  constructor(
    private readonly history: SegmentHistoryRepository,
    private readonly sessions: SessionRepository,
    private readonly streams: StreamRepository,
  ) {}

  /** Per segment of the stream's sessions in the window: upload round trip and republish lag; drops per minute by reason. */
  async stream(streamId: string, minutes: number, now = Date.now()) {
    if (!(await this.streams.get(streamId))) throw new NotFoundException(`no stream with id ${streamId}`);
    const from = now - minutes * 60_000;
    const sessions = (await this.sessions.list({ state: 'all', streamId, limit: MAX_SESSIONS })).filter((s) => (s.endedAt ?? now) >= from);
    const points: SegmentPoint[] = [];
    for (const session of sessions) points.push(...(await this.history.sessionSegments(session.id, from, MAX_POINTS_PER_SESSION)));
    points.sort((a, b) => a.ingestedAt - b.ingestedAt);
    return {
      from,
      to: now,
      sessionIds: sessions.map((s) => s.id),
      segments: {
        ingestedAt: points.map((p) => p.ingestedAt),
        seq: points.map((p) => p.seq),
        roundTripMs: points.map((p) => p.roundTripMs),
        republishLagMs: points.map((p) => p.republishLagMs),
      },
      drops: dropSeries(points, from, now, HISTORY_BUCKET_MS),
    };
  }

  /** Per broadcaster and minute: attempts, success rate and mean round trip. */
  async broadcasters(minutes: number, now = Date.now()) {
    const from = now - minutes * 60_000;
    const bucketStart = bucketStarts(from, now, HISTORY_BUCKET_MS);
    const buckets = await this.history.attemptBuckets(bucketStart[0], HISTORY_BUCKET_MS);
    return { from, to: now, bucketMs: HISTORY_BUCKET_MS, bucketStart, broadcasters: broadcasterSeries(buckets, bucketStart) };
  }
}
