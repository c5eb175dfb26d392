import { dropSummary, fallbackSummary, fieldErrorLines, kbps, ladderText, renditionOfUrl, seconds } from './format.js';

describe('dashboard formatting', () => {
  it('writes rates and durations, empty when unknown', () => {
    expect(kbps(1_234_567)).toBe('1235 kbps');
    expect(kbps(undefined)).toBe('');
    expect(seconds(1500)).toBe('1.50 s');
    expect(seconds(null)).toBe('');
    expect(seconds(0)).toBe('0.00 s');
  });

  it('names a ladder by its profiles and presets, or the relay default', () => {
    expect(ladderText({ profiles: [{ name: 'low', width: 426, height: 240 }], presets: ['P144p30fps16x9'] })).toBe(
      'low 426x240, P144p30fps16x9',
    );
    expect(ladderText({})).toBe('relay default');
  });

  it('lists the field errors of a 400 and the drop reasons', () => {
    expect(fieldErrorLines({ name: ['must not be empty'], 'ladder.profiles[0].width': ['must be >= 128', 'x'] })).toEqual([
      'name: must not be empty',
      'ladder.profiles[0].width: must be >= 128; x',
    ]);
    expect(fieldErrorLines(undefined)).toEqual([]);
    expect(dropSummary({ 'fetch-failed': 2, 'not-in-playlist': 1 })).toBe('fetch-failed 2, not-in-playlist 1');
  });

  it('sums up the local-fallback periods of a session, and says nothing when there were none', () => {
    expect(fallbackSummary(undefined)).toBe('');
    expect(fallbackSummary({ segments: 0, periods: [] })).toBe('');
    expect(
      fallbackSummary({
        segments: 4,
        periods: [
          { fromSeq: 3, toSeq: 5 },
          { fromSeq: 9, toSeq: 9 },
        ],
      }),
    ).toBe('transcoded locally (no broadcaster could): 4 segments in 2 periods (seq 3-5, 9)');
  });

  it('reads the rendition from a level URL, else names it by height', () => {
    expect(renditionOfUrl('http://relay/hls/abc/P144p30fps16x9/index.m3u8', 144)).toBe('P144p30fps16x9');
    expect(renditionOfUrl('blob:xyz', 360)).toBe('360p');
  });
});
