import { describe, expect, it } from 'vitest';
import { parseMediaPlaylist } from '@lib/hls';
import { validateMediaPlaylist } from '@lib/testing';
import { buildVodPlaylists, type RecordedRow } from './vod-playlists';

const T0 = Date.UTC(2026, 11, 1, 10);
const rowsOf = (rendition: string, msns: number[], overrides: Partial<RecordedRow> = {}): RecordedRow[] =>
  msns.map((msn) => ({
    rendition,
    msn,
    durationMs: 2000,
    bytes: 100_000,
    discontinuity: false,
    programDateTime: T0 + msn * 2000,
    ...overrides,
  }));

describe('buildVodPlaylists', () => {
  it('writes one ended VOD playlist per variant, valid by the HLS rules, with the durations and dates of the rows', () => {
    const vod = buildVodPlaylists([...rowsOf('source', [5, 6, 7]), ...rowsOf('low', [5, 6, 7], { bytes: 20_000 })], 2, T0);
    expect(vod.variants.map((v) => v.name).sort()).toEqual(['low', 'source']);
    expect(vod.durationMs).toBe(6000);
    expect(vod.segments).toBe(3);
    for (const variant of vod.variants) {
      expect(validateMediaPlaylist(variant.text, { targetDuration: 2 })).toEqual([]);
      const parsed = parseMediaPlaylist(variant.text);
      expect(parsed).toMatchObject({ playlistType: 'VOD', endList: true, mediaSequence: 0 });
      expect(parsed.segments.map((s) => [s.uri, s.programDateTime])).toEqual([
        ['5.ts', T0 + 10_000],
        ['6.ts', T0 + 12_000],
        ['7.ts', T0 + 14_000],
      ]);
    }
    expect(vod.variants.find((v) => v.name === 'source')!.peakBitsPerSecond).toBe(400_000);
  });

  it('keeps the discontinuities of the live stream but never one on the first segment', () => {
    const rows = rowsOf('source', [0, 1, 2, 3]).map((r) => ({ ...r, discontinuity: r.msn === 0 || r.msn === 2 }));
    const parsed = parseMediaPlaylist(buildVodPlaylists(rows, 2, T0).variants[0].text);
    expect(parsed.segments.map((s) => s.discontinuity)).toEqual([false, false, true, false]);
  });

  it('marks a gap in a variant (it missed msns) as a discontinuity', () => {
    const parsed = parseMediaPlaylist(buildVodPlaylists(rowsOf('low', [0, 1, 4]), 2, T0).variants[0].text);
    expect(parsed.segments.map((s) => s.discontinuity)).toEqual([false, false, true]);
  });

  it('dates segments the rows give no time from the recording start, then each from the previous end', () => {
    const rows = rowsOf('source', [0, 1], { programDateTime: null });
    const parsed = parseMediaPlaylist(buildVodPlaylists(rows, 2, T0).variants[0].text);
    expect(parsed.segments.map((s) => s.programDateTime)).toEqual([T0, T0 + 2000]);
  });

  it('fits a segment longer than the target duration to it, as the live playlists did', () => {
    const vod = buildVodPlaylists(rowsOf('source', [0], { durationMs: 2600 }), 2, T0);
    expect(parseMediaPlaylist(vod.variants[0].text).segments[0].duration).toBe(2);
  });
});
