import fc from 'fast-check';
import * as HLS from 'hls-parser';
import { PlaylistWriteError } from './errors';
import { parseMasterPlaylist, parseMediaPlaylist } from './parse';
import { writeMasterPlaylist, writeMediaPlaylist, type MediaPlaylistModel } from './write';

const live: MediaPlaylistModel = {
  targetDuration: 4,
  mediaSequence: 120,
  discontinuitySequence: 0,
  ended: false,
  segments: [
    { uri: '120.ts', durationSec: 2 },
    { uri: '121.ts', durationSec: 1.9166666 },
  ],
};

describe('writeMediaPlaylist', () => {
  it('writes #EXT-X-GAP right before the #EXTINF of a segment without media, which both parsers read back', () => {
    const text = writeMediaPlaylist({ ...live, segments: [live.segments[0], { ...live.segments[1], gap: true }] });
    expect(text).toContain('120.ts\n#EXT-X-GAP\n#EXTINF:1.917,\n121.ts\n');
    expect(parseMediaPlaylist(text).segments.map((s) => s.gap)).toEqual([false, true]);
    const parsed = HLS.parse(text) as HLS.types.MediaPlaylist;
    expect(parsed.segments.map((s) => Boolean(s.gap))).toEqual([false, true]);
  });

  it('writes a live playlist: version 8, fixed header order, three-decimal durations, no type, no end', () => {
    expect(writeMediaPlaylist(live)).toBe(
      [
        '#EXTM3U',
        '#EXT-X-VERSION:8',
        '#EXT-X-TARGETDURATION:4',
        '#EXT-X-MEDIA-SEQUENCE:120',
        '#EXT-X-DISCONTINUITY-SEQUENCE:0',
        '#EXTINF:2.000,',
        '120.ts',
        '#EXTINF:1.917,',
        '121.ts',
        '',
      ].join('\n'),
    );
  });

  it('marks discontinuities before their segment and ends with #EXT-X-ENDLIST', () => {
    const text = writeMediaPlaylist({
      ...live,
      discontinuitySequence: 3,
      ended: true,
      segments: [...live.segments, { uri: '122.ts', durationSec: 3.5, discontinuity: true }],
    });
    expect(text).toContain('#EXT-X-DISCONTINUITY-SEQUENCE:3\n');
    expect(text).toMatch(/121\.ts\n#EXT-X-DISCONTINUITY\n#EXTINF:3\.500,\n122\.ts\n#EXT-X-ENDLIST\n$/);
    expect(text).not.toContain('PLAYLIST-TYPE');
  });

  it('writes a playlist with no segments yet', () => {
    expect(parseMediaPlaylist(writeMediaPlaylist({ ...live, segments: [] }))).toMatchObject({ segments: [], mediaSequence: 120 });
  });

  it.each([
    ['a fractional target duration', { targetDuration: 2.5 }, /targetDuration must be an integer/],
    ['a zero target duration', { targetDuration: 0 }, /targetDuration/],
    ['a negative media sequence', { mediaSequence: -1 }, /mediaSequence/],
    ['a fractional discontinuity sequence', { discontinuitySequence: 0.5 }, /discontinuitySequence/],
    ['a segment rounding above the target', { segments: [{ uri: 'a.ts', durationSec: 4.5 }] }, /rounds above the target duration 4/],
    // 4.4996 is written 4.500, which a player rounds to 5.
    ['a segment whose written value rounds above', { segments: [{ uri: 'a.ts', durationSec: 4.4996 }] }, /4\.500 s rounds above/],
    ['a zero duration', { segments: [{ uri: 'a.ts', durationSec: 0 }] }, /not a positive number/],
    ['a URI with a line break', { segments: [{ uri: 'a.ts\n#EXT-X-ENDLIST', durationSec: 1 }] }, /line break/],
    ['an empty URI', { segments: [{ uri: ' ', durationSec: 1 }] }, /empty/],
    ['a URI that reads as a tag', { segments: [{ uri: '#a.ts', durationSec: 1 }] }, /starts with "#"/],
  ])('refuses %s', (_, change, message) => {
    expect(() => writeMediaPlaylist({ ...live, ...change })).toThrow(PlaylistWriteError);
    expect(() => writeMediaPlaylist({ ...live, ...change })).toThrow(message);
  });

  it('accepts a segment that rounds down to the target duration', () => {
    expect(writeMediaPlaylist({ ...live, segments: [{ uri: 'a.ts', durationSec: 4.499 }] })).toContain('#EXTINF:4.499,');
  });
});

describe('writeMasterPlaylist', () => {
  it('writes one #EXT-X-STREAM-INF per variant with BANDWIDTH, RESOLUTION and quoted CODECS', () => {
    const text = writeMasterPlaylist({
      variants: [
        {
          uri: 'source/index.m3u8',
          bandwidth: 2_500_000,
          averageBandwidth: 2_000_000,
          resolution: { width: 640, height: 360 },
          codecs: 'avc1.64001e,mp4a.40.2',
          frameRate: 30,
        },
        { uri: 'P144p30fps16x9/index.m3u8', bandwidth: 400_000, resolution: { width: 256, height: 144 }, codecs: 'avc1.42c00c' },
      ],
    });
    expect(text).toBe(
      [
        '#EXTM3U',
        '#EXT-X-VERSION:3',
        '#EXT-X-STREAM-INF:BANDWIDTH=2500000,AVERAGE-BANDWIDTH=2000000,RESOLUTION=640x360,CODECS="avc1.64001e,mp4a.40.2",FRAME-RATE=30.000',
        'source/index.m3u8',
        '#EXT-X-STREAM-INF:BANDWIDTH=400000,RESOLUTION=256x144,CODECS="avc1.42c00c"',
        'P144p30fps16x9/index.m3u8',
        '',
      ].join('\n'),
    );
    expect(parseMasterPlaylist(text).variants[0]).toEqual({
      uri: 'source/index.m3u8',
      bandwidth: 2_500_000,
      averageBandwidth: 2_000_000,
      resolution: { width: 640, height: 360 },
      codecs: 'avc1.64001e,mp4a.40.2',
      frameRate: 30,
    });
  });

  const variant = { uri: 'a.m3u8', bandwidth: 1000, resolution: { width: 2, height: 2 }, codecs: 'avc1.42c00c' };
  it.each([
    ['no variant', { variants: [] }, /at least one variant/],
    ['a zero bandwidth', { variants: [{ ...variant, bandwidth: 0 }] }, /bandwidth must be an integer >= 1/],
    ['an empty CODECS', { variants: [{ ...variant, codecs: '' }] }, /codecs/],
    ['a quote in CODECS', { variants: [{ ...variant, codecs: 'avc1"' }] }, /codecs/],
    ['a zero height', { variants: [{ ...variant, resolution: { width: 2, height: 0 } }] }, /height/],
    ['a negative frame rate', { variants: [{ ...variant, frameRate: -1 }] }, /frame rate/],
  ])('refuses %s', (_, model, message) => {
    expect(() => writeMasterPlaylist(model)).toThrow(message);
  });
});

describe('cross-check: what we write, hls-parser (strict mode) and our parser read alike', () => {
  beforeAll(() => HLS.setOptions({ strictMode: true }));

  it('media playlists', () => {
    const model = fc.integer({ min: 1, max: 10 }).chain((targetDuration) =>
      fc.record({
        targetDuration: fc.constant(targetDuration),
        mediaSequence: fc.nat(1_000_000),
        discontinuitySequence: fc.nat(1000),
        ended: fc.boolean(),
        segments: fc.array(
          fc.record({
            uri: fc.nat(1_000_000).map((n) => `${n}.ts`),
            durationSec: fc.integer({ min: 1, max: targetDuration * 1000 }).map((ms) => ms / 1000),
            discontinuity: fc.boolean(),
          }),
          { maxLength: 15 },
        ),
      }),
    );
    fc.assert(
      fc.property(model, (m) => {
        const text = writeMediaPlaylist(m);
        const theirs = HLS.parse(text) as HLS.types.MediaPlaylist;
        const ours = parseMediaPlaylist(text);
        expect(theirs.targetDuration).toBe(m.targetDuration);
        expect(theirs.mediaSequenceBase ?? 0).toBe(m.mediaSequence);
        expect(theirs.discontinuitySequenceBase ?? 0).toBe(m.discontinuitySequence);
        expect(theirs.endlist).toBe(m.ended);
        const expected = m.segments.map((s) => [s.uri, s.durationSec, s.discontinuity]);
        expect(theirs.segments.map((s) => [s.uri, s.duration, Boolean(s.discontinuity)])).toEqual(expected);
        expect(ours.segments.map((s) => [s.uri, s.duration, s.discontinuity])).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });

  it('master playlists', () => {
    const variant = fc.record({
      uri: fc.stringMatching(/^[a-z0-9]{1,8}\/index\.m3u8$/),
      bandwidth: fc.integer({ min: 1, max: 50_000_000 }),
      resolution: fc.record({ width: fc.integer({ min: 1, max: 4096 }), height: fc.integer({ min: 1, max: 2160 }) }),
      codecs: fc.constantFrom('avc1.42c01e', 'avc1.64001f,mp4a.40.2', 'avc1.4d401f,mp4a.40.5'),
      frameRate: fc.constantFrom(undefined, 25, 29.97, 60),
    });
    fc.assert(
      fc.property(fc.array(variant, { minLength: 1, maxLength: 6 }), (variants) => {
        const text = writeMasterPlaylist({ variants });
        const theirs = HLS.parse(text) as HLS.types.MasterPlaylist;
        const ours = parseMasterPlaylist(text);
        const expected = variants.map((v) => [v.uri, v.bandwidth, v.resolution, v.codecs, v.frameRate]);
        expect(theirs.variants.map((v) => [v.uri, v.bandwidth, v.resolution, v.codecs, v.frameRate])).toEqual(expected);
        expect(ours.variants.map((v) => [v.uri, v.bandwidth, v.resolution, v.codecs, v.frameRate])).toEqual(expected);
      }),
      { numRuns: 100 },
    );
  });
});

describe('#EXT-X-PROGRAM-DATE-TIME', () => {
  const at = Date.UTC(2026, 11, 1, 10, 0, 2, 345);
  const model = (times: (number | undefined)[]): MediaPlaylistModel => ({
    targetDuration: 2,
    mediaSequence: 0,
    discontinuitySequence: 0,
    ended: false,
    segments: times.map((programDateTime, i) => ({ uri: `${i}.ts`, durationSec: 2, discontinuity: i === 2, programDateTime })),
  });

  it('is written before each segment that has one, in UTC with milliseconds, and read back', () => {
    const text = writeMediaPlaylist(model([at, at + 2000, at + 9000]));
    expect(text).toContain('#EXT-X-PROGRAM-DATE-TIME:2026-12-01T10:00:02.345Z\n#EXTINF:2.000,\n0.ts');
    expect(text).toContain('#EXT-X-DISCONTINUITY\n#EXT-X-PROGRAM-DATE-TIME:2026-12-01T10:00:11.345Z\n#EXTINF:2.000,\n2.ts');
    expect(parseMediaPlaylist(text).segments.map((s) => s.programDateTime)).toEqual([at, at + 2000, at + 9000]);
    const theirs = HLS.parse(text) as HLS.types.MediaPlaylist;
    expect(theirs.segments.map((s) => s.programDateTime?.getTime())).toEqual([at, at + 2000, at + 9000]);
  });

  it('is left out when no segment has one, and may start after segments without', () => {
    expect(writeMediaPlaylist(model([undefined, undefined]))).not.toContain('PROGRAM-DATE-TIME');
    expect(parseMediaPlaylist(writeMediaPlaylist(model([undefined, at]))).segments.map((s) => s.programDateTime)).toEqual([undefined, at]);
  });

  it('refuses a segment without one after one with, a time not after the previous, and a time that is not one', () => {
    expect(() => writeMediaPlaylist(model([at, undefined]))).toThrow(PlaylistWriteError);
    expect(() => writeMediaPlaylist(model([at, at]))).toThrow(/not after the previous/);
    expect(() => writeMediaPlaylist(model([at + 0.5]))).toThrow(PlaylistWriteError);
    expect(() => writeMediaPlaylist(model([Number.NaN]))).toThrow(PlaylistWriteError);
  });

  it('is parsed with any time zone', () => {
    const text = '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-PROGRAM-DATE-TIME:2026-12-01T11:00:02.345+01:00\n#EXTINF:2,\n0.ts\n';
    expect(parseMediaPlaylist(text).segments[0].programDateTime).toBe(at);
    expect(() => parseMediaPlaylist(text.replace('+01:00', ''))).toThrow(/ISO 8601/);
  });
});
