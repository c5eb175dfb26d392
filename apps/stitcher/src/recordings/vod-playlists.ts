import { writeMediaPlaylist, type MediaPlaylistModel, type WritableSegment } from '@lib/hls';
import { fitDuration, segmentUri } from '../republish/window-state';

/** A listed segment of one variant, as the stitcher's rendition rows keep it. */
export interface RecordedRow {
  rendition: string;
  msn: number;
  durationMs: number | null;
  bytes: number | null;
  discontinuity: boolean;
  programDateTime: number | null;
}

export interface VodVariant {
  name: string;
  model: MediaPlaylistModel;
  text: string;
  /** Msns listed, in order (the objects the recording holds for this variant). */
  msns: number[];
  durationMs: number;
  /** Peak bits/s of one segment (the master's BANDWIDTH). */
  peakBitsPerSecond: number;
}

export interface VodPlaylists {
  variants: VodVariant[];
  /** The recording's duration: that of its longest variant. */
  durationMs: number;
  segments: number;
}

/**
 * The VOD media playlists of a recording from the rows of its sessions (every variant, msn
 * order), written whole and once: `#EXT-X-PLAYLIST-TYPE:VOD`, `#EXT-X-ENDLIST`, the live
 * playlists' durations, program date-times and discontinuities (a reconnect, a skipped msn),
 * and one target duration for all (the largest of the sessions'), so each playlist obeys the
 * same rules as live (docs/hls-rules.md). The first segment never carries a discontinuity: what
 * came before it is not in the recording. `startedAt` dates segments the rows give no time.
 */
export function buildVodPlaylists(rows: readonly RecordedRow[], targetDuration: number, startedAt: number): VodPlaylists {
  const byVariant = new Map<string, RecordedRow[]>();
  for (const row of [...rows].sort((a, b) => a.msn - b.msn)) {
    const list = byVariant.get(row.rendition) ?? [];
    list.push(row);
    byVariant.set(row.rendition, list);
  }
  const variants = [...byVariant].map(([name, list]) => vodVariant(name, list, targetDuration, startedAt));
  const longest = variants.reduce<VodVariant | undefined>((best, v) => (!best || v.durationMs > best.durationMs ? v : best), undefined);
  return { variants, durationMs: longest?.durationMs ?? 0, segments: longest?.msns.length ?? 0 };
}

function vodVariant(name: string, rows: RecordedRow[], targetDuration: number, startedAt: number): VodVariant {
  const segments: WritableSegment[] = [];
  let previous: { msn: number; end: number } | undefined;
  let durationMs = 0;
  let peak = 1;
  for (const row of rows) {
    const durationSec = fitDuration(row.durationMs ?? 1, targetDuration);
    // A row without a time (its segment had none from ingest) continues from the previous one,
    // the first from the recording's start: a VOD playlist always dates every segment.
    const programDateTime = row.programDateTime ?? previous?.end ?? startedAt;
    const discontinuity = previous !== undefined && (row.discontinuity || row.msn !== previous.msn + 1);
    segments.push({
      uri: segmentUri(row.msn),
      durationSec,
      ...(discontinuity ? { discontinuity } : {}),
      programDateTime,
    });
    const ms = Math.round(durationSec * 1000);
    durationMs += ms;
    peak = Math.max(peak, Math.ceil(((row.bytes ?? 0) * 8 * 1000) / Math.max(ms, 1)));
    previous = { msn: row.msn, end: programDateTime + ms };
  }
  const model: MediaPlaylistModel = {
    targetDuration,
    mediaSequence: 0,
    discontinuitySequence: 0,
    segments,
    ended: true,
    playlistType: 'VOD',
  };
  return { name, model, text: writeMediaPlaylist(model), msns: rows.map((r) => r.msn), durationMs, peakBitsPerSecond: peak };
}
