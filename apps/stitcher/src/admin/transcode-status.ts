import type { SegmentState } from '@lib/database';

/** Segments of the recent past a session's transcode status and speed are judged on. */
export const TRANSCODE_WINDOW_SEGMENTS = 10;

export interface RecentSegment {
  state: SegmentState;
  durationMs: number;
  roundTripMs: number | null;
  dropReason: string | null;
  dropDetail?: string | null;
}

export interface TranscodeHealth {
  /**
   * `transcoding`: recent segments came back from a broadcaster in time; `degraded`: some were
   * lost or the broadcasters transcode slower than real time; `not transcoding: <why>`: the
   * session has no renditions, or no recent segment came back.
   */
  status: string;
  /** Media duration / push round trip over the recent delivered segments (above 1: faster than real time). */
  speedFactor: number | null;
}

/**
 * A session's transcode status from what is recorded of it (pure): its renditions, its reason
 * (ingest says why it has none), and its newest ledger rows. Segments still on their way
 * (ingested, queued) are not judged.
 */
export function transcodeHealth(input: { renditions: number; stateReason: string | null; recent: RecentSegment[] }): TranscodeHealth {
  const delivered = input.recent.filter((s) => (s.state === 'uploaded' || s.state === 'republished') && s.roundTripMs);
  const media = delivered.reduce((sum, s) => sum + s.durationMs, 0);
  const trips = delivered.reduce((sum, s) => sum + (s.roundTripMs ?? 0), 0);
  const speedFactor = trips > 0 ? Math.round((media / trips) * 100) / 100 : null;
  if (input.renditions === 0) {
    const why = input.stateReason?.replace(/^not transcoding: /, '') || 'no renditions were found for this session';
    return { status: `not transcoding: ${why}`, speedFactor };
  }
  const dropped = input.recent.filter((s) => s.state === 'dropped');
  const settled = delivered.length + dropped.length;
  if (settled === 0) return { status: 'transcoding', speedFactor };
  if (delivered.length === 0) {
    const last = dropped[dropped.length - 1];
    return { status: `not transcoding: the last ${dropped.length} segment(s) were dropped (${last.dropReason ?? 'unknown'})`, speedFactor };
  }
  if (dropped.length > 0 || (speedFactor !== null && speedFactor < 1)) return { status: 'degraded', speedFactor };
  return { status: 'transcoding', speedFactor };
}
