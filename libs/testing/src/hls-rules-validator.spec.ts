import {
  PlaylistHistoryValidator,
  validateMasterPlaylist,
  validateMediaPlaylist,
  validatePlaylistTransition,
  type HlsRuleId,
} from './hls-rules-validator';

/** A media playlist: header lines, then `uri duration [flags]` segment specs, then optional trailer lines. */
function media(header: string[], segments: string[], trailer: string[] = []): string {
  const body = segments.flatMap((spec) => {
    const [uri, duration, ...flags] = spec.split(' ');
    return [...flags.map((flag) => `#EXT-X-${flag}`), `#EXTINF:${duration},`, uri];
  });
  return `${['#EXTM3U', ...header, ...body, ...trailer].join('\n')}\n`;
}

const head = (msn: number, dsn = 0, td = 2) => [
  '#EXT-X-VERSION:3',
  `#EXT-X-TARGETDURATION:${td}`,
  `#EXT-X-MEDIA-SEQUENCE:${msn}`,
  `#EXT-X-DISCONTINUITY-SEQUENCE:${dsn}`,
];

/** Segments `{msn}.ts` of 2 s for msn in [from, to]; `discontinuities` lists the msns that carry one. */
function run(from: number, to: number, discontinuities: number[] = []): string[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i).map(
    (msn) => `${msn}.ts 2.000${discontinuities.includes(msn) ? ' DISCONTINUITY' : ''}`,
  );
}

const rulesOf = (violations: Array<{ rule: HlsRuleId }>) => [...new Set(violations.map((v) => v.rule))];

describe('validateMediaPlaylist', () => {
  it.each([
    ['a live window', media(head(10), run(10, 15))],
    ['an ended playlist', media(head(10), run(10, 15), ['#EXT-X-ENDLIST'])],
    ['a VOD playlist with its type (ended)', media(['#EXT-X-PLAYLIST-TYPE:VOD', ...head(0)], run(0, 2), ['#EXT-X-ENDLIST'])],
    ['a playlist with no segment yet', media(head(0), [])],
    ['a duration that rounds down to the target', media(head(0), ['0.ts 2.499'])],
    ['a gap in a version 8 playlist', media(['#EXT-X-VERSION:8', '#EXT-X-TARGETDURATION:2'], ['0.ts 2.0', '1.ts 2.0 GAP'])],
    ['integer durations without a version', media(['#EXT-X-TARGETDURATION:2'], ['0.ts 2'])],
  ])('passes %s', (_, text) => {
    expect(validateMediaPlaylist(text)).toEqual([]);
  });

  // One failing fixture per rule that one version can break; each breaks that rule only.
  it.each<[HlsRuleId, string, string, { targetDuration?: number }?]>([
    ['R0-syntax', 'an #EXTINF without URI', media(head(0), ['0.ts 2.000'], ['#EXTINF:2.000,'])],
    ['R0-version', 'a fractional duration without version 3', media(['#EXT-X-TARGETDURATION:2'], ['0.ts 1.5'])],
    ['R1-target-duration', 'a segment rounding above the target', media(head(0), ['0.ts 2.000', '1.ts 2.500'])],
    ['R1-target-duration', 'no target duration', '#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:2.000,\n0.ts\n'],
    ['R1-target-duration', "a target duration other than the stream's", media(head(0, 0, 4), run(0, 2)), { targetDuration: 2 }],
    ['R7-end', 'a live playlist with a playlist type', media(['#EXT-X-PLAYLIST-TYPE:EVENT', ...head(0)], run(0, 2))],
    ['R8-missing-media', 'a gap in a version 3 playlist', media(head(0), ['0.ts 2.000', '1.ts 2.000 GAP'])],
  ])('fails %s: %s', (rule, _, text, options) => {
    const violations = validateMediaPlaylist(text, options);
    expect(rulesOf(violations)).toEqual([rule]);
    violations.forEach((violation) => expect(violation.message).not.toBe(''));
  });

  it('names the segment at fault', () => {
    expect(validateMediaPlaylist(media(head(7), ['7.ts 2.000', '8.ts 3.000']))[0].message).toMatch(/segment 8 \(8\.ts\)/);
  });
});

describe('validatePlaylistTransition', () => {
  const live = media(head(10), run(10, 15, [12]));

  it.each([
    ['the same version', live],
    ['a tail append', media(head(10), run(10, 16, [12]))],
    ['a head removal with tail appends', media(head(11), run(11, 17, [12]))],
    ['a discontinuity leaving the window', media(head(13, 1), run(13, 18))],
    ['adding #EXT-X-ENDLIST', media(head(10), run(10, 16, [12]), ['#EXT-X-ENDLIST'])],
    ['a window that moved past everything seen (missed versions)', media(head(20, 1), run(20, 25))],
    ['missed versions that may have held a discontinuity', media(head(20, 2), run(20, 25))],
  ])('passes %s', (_, next) => {
    expect(validatePlaylistTransition(live, next)).toEqual([]);
  });

  // One failing fixture per rule that a change between versions can break.
  it.each<[HlsRuleId, string, string]>([
    ['R1-target-duration', 'the target duration changes', media(head(10, 0, 3), run(10, 16, [12]))],
    ['R2-media-sequence', 'the media sequence goes back', media(head(9), ['9.ts 2.000', ...run(10, 15, [12])])],
    ['R3-allowed-edits', 'a listed segment changes its URI', media(head(10), [...run(10, 13, [12]), 'other.ts 2.000', ...run(15, 16)])],
    ['R3-allowed-edits', 'a listed segment changes its duration', media(head(10), [...run(10, 14, [12]), '15.ts 1.000'])],
    ['R3-allowed-edits', 'a segment is inserted in the middle', media(head(10), [...run(10, 11), 'new.ts 2.000', ...run(12, 15, [12])])],
    ['R3-allowed-edits', 'a segment is removed from the tail', media(head(10), run(10, 14, [12]))],
    ['R3-allowed-edits', 'a discontinuity is added to a listed segment', media(head(10), run(10, 15, [12, 14]))],
    ['R3-allowed-edits', 'the version changes', media(['#EXT-X-VERSION:4', ...head(10).slice(1)], run(10, 15, [12]))],
    ['R4-discontinuity', 'a discontinuity leaves without incrementing the sequence', media(head(13, 0), run(13, 18))],
    ['R4-discontinuity', 'the sequence grows without a discontinuity leaving', media(head(11, 1), run(11, 16, [12]))],
    ['R5-window', 'removal leaves less than 3 target durations', media(head(14, 1), run(14, 15))],
    ['R7-end', '#EXT-X-ENDLIST is removed', media(head(10), run(10, 15, [12]))],
  ])('fails %s: %s', (rule, _, next) => {
    const prev = rule === 'R7-end' ? media(head(10), run(10, 15, [12]), ['#EXT-X-ENDLIST']) : live;
    expect(rulesOf(validatePlaylistTransition(prev, next))).toEqual([rule]);
  });

  it('fails R4 when the discontinuity sequence goes back', () => {
    const prev = media(head(13, 2), run(13, 18));
    expect(rulesOf(validatePlaylistTransition(prev, media(head(13, 1), run(13, 18))))).toEqual(['R4-discontinuity']);
  });

  it('fails R7 when segments are appended after #EXT-X-ENDLIST', () => {
    const ended = media(head(10), run(10, 15), ['#EXT-X-ENDLIST']);
    expect(rulesOf(validatePlaylistTransition(ended, media(head(10), run(10, 16), ['#EXT-X-ENDLIST'])))).toEqual(['R7-end']);
  });

  it('reports an unparseable version as R0-syntax, or as the rule of the tag at fault', () => {
    expect(rulesOf(validatePlaylistTransition(live, 'not a playlist'))).toEqual(['R0-syntax']);
    expect(rulesOf(validatePlaylistTransition('#EXTM3U\n#EXTINF:2,\n0.ts\n', live))).toEqual(['R1-target-duration']);
  });
});

describe('validateMasterPlaylist', () => {
  const master = (...streamInfs: string[]) =>
    ['#EXTM3U', '#EXT-X-VERSION:3', ...streamInfs.flatMap((inf, i) => [`#EXT-X-STREAM-INF:${inf}`, `v${i}/index.m3u8`])].join('\n');

  it('passes variants with BANDWIDTH, RESOLUTION and CODECS', () => {
    expect(
      validateMasterPlaylist(
        master(
          'BANDWIDTH=2500000,RESOLUTION=640x360,CODECS="avc1.64001e,mp4a.40.2"',
          'BANDWIDTH=400000,RESOLUTION=256x144,CODECS="avc1.42c00c"',
        ),
      ),
    ).toEqual([]);
  });

  // Rule 9: one failing fixture per missing attribute.
  it.each([
    ['no CODECS', master('BANDWIDTH=1,RESOLUTION=2x2', 'BANDWIDTH=1,RESOLUTION=2x2,CODECS="avc1.42c00c"'), /v0\/index\.m3u8: no CODECS/],
    ['no RESOLUTION', master('BANDWIDTH=1,CODECS="avc1.42c00c"'), /: no RESOLUTION/],
    ['an empty CODECS', master('BANDWIDTH=1,RESOLUTION=2x2,CODECS=""'), /: no CODECS/],
    ['a zero BANDWIDTH', master('BANDWIDTH=0,RESOLUTION=2x2,CODECS="avc1.42c00c"'), /BANDWIDTH is 0/],
    ['no BANDWIDTH', master('RESOLUTION=2x2,CODECS="avc1.42c00c"'), /no BANDWIDTH/],
    ['an unquoted CODECS', master('BANDWIDTH=1,RESOLUTION=2x2,CODECS=avc1'), /CODECS must be a quoted string/],
  ])('fails R9 with %s', (_, text, message) => {
    const violations = validateMasterPlaylist(text);
    expect(rulesOf(violations)).toEqual(['R9-master-variant']);
    expect(violations[0].message).toMatch(message);
  });

  it('fails R0 on a media playlist', () => {
    expect(rulesOf(validateMasterPlaylist(media(head(0), run(0, 1))))).toEqual(['R0-syntax']);
  });
});

describe('PlaylistHistoryValidator', () => {
  it('accumulates violations of each version and of each transition, skipping repeats', () => {
    const validator = new PlaylistHistoryValidator({ targetDuration: 2 });
    expect(validator.push(media(head(0), run(0, 3)))).toEqual([]);
    expect(validator.push(media(head(0), run(0, 3)))).toEqual([]); // same version polled again
    expect(validator.push(media(head(0), run(0, 4)))).toEqual([]);
    expect(rulesOf(validator.push(media(head(1, 0, 3), run(1, 5))))).toEqual(['R1-target-duration']);
    expect(rulesOf(validator.push('garbage'))).toEqual(['R0-syntax']);
    // Compared with the last parseable version (target duration 3): it changed again, and the media sequence went back.
    expect(rulesOf(validator.push(media(head(0), run(0, 5))))).toEqual(['R1-target-duration', 'R2-media-sequence']);
    expect(validator.versionCount).toBe(5);
    expect(validator.violations.map((v) => [v.version, v.rule])).toEqual([
      [2, 'R1-target-duration'], // not the stream's target duration
      [2, 'R1-target-duration'], // changed from the previous version
      [3, 'R0-syntax'],
      [4, 'R1-target-duration'],
      [4, 'R2-media-sequence'],
    ]);
  });
});

describe('rule 11: program date-times', () => {
  const at = (secondsAfter: number) => `PROGRAM-DATE-TIME:${new Date(Date.UTC(2026, 11, 1, 10) + secondsAfter * 1000).toISOString()}`;
  /** 2 s segments from msn 0; `times` gives each one's PDT (seconds, or null for none) and optional flags. */
  const dated = (times: (number | null)[], discontinuities: number[] = []) =>
    media(
      head(0),
      times.map((t, msn) =>
        [`${msn}.ts 2.000`, discontinuities.includes(msn) ? 'DISCONTINUITY' : '', t === null ? '' : at(t)].filter(Boolean).join(' '),
      ),
    );

  it.each([
    ['on every segment, spaced by the durations', dated([0, 2, 4.001, 5.999])],
    ['a forward jump at a discontinuity', dated([0, 2, 60], [2])],
    ['none at all', dated([null, null])],
    ['from some segment on (older segments written before there were any)', dated([null, null, 4, 6])],
  ])('passes %s', (_, text) => {
    expect(validateMediaPlaylist(text)).toEqual([]);
  });

  it.each([
    ['a segment without one after a segment with one', dated([0, null, 4])],
    ['a time going back', dated([0, 2, 1])],
    ['a time repeated', dated([0, 2, 2], [2])],
    ['a step much longer than the segment without a discontinuity', dated([0, 2, 10])],
    ['a step much shorter than the segment, even at a discontinuity', dated([0, 2, 2.5], [2])],
  ])('fails %s', (_, text) => {
    expect(rulesOf(validateMediaPlaylist(text))).toEqual(['R11-program-date-time']);
  });

  it('takes a tolerance', () => {
    expect(validateMediaPlaylist(dated([0, 2.9]))).not.toEqual([]);
    expect(validateMediaPlaylist(dated([0, 2.9]), { programDateTimeToleranceSec: 1 })).toEqual([]);
  });

  it('sees a listed segment whose time changed as a modified segment', () => {
    const violations = validatePlaylistTransition(dated([0, 2, 4]), dated([0, 2.1, 4.1]));
    expect(rulesOf(violations)).toEqual(['R3-allowed-edits']);
    expect(violations[0].message).toMatch(/program date-time/);
  });
});
