import fc from 'fast-check';
import * as HLS from 'hls-parser';
import { PlaylistParseError } from './errors';
import { detectPlaylistKind, parseAttributeList, parseMasterPlaylist, parseMediaPlaylist, parsePlaylist } from './parse';

const lines = (...content: string[]) => `${content.join('\n')}\n`;

function parseError(run: () => unknown): PlaylistParseError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(PlaylistParseError);
    return error as PlaylistParseError;
  }
  throw new Error('expected a PlaylistParseError');
}

describe('detectPlaylistKind', () => {
  it.each([
    [lines('#EXTM3U', '#EXT-X-STREAM-INF:BANDWIDTH=1', 'a.m3u8'), 'master'],
    [lines('#EXTM3U', '#EXT-X-TARGETDURATION:2'), 'media'],
    [lines('#EXTM3U', '#EXT-X-MEDIA-SEQUENCE:3'), 'media'],
    [lines('#EXTM3U', '#EXTINF:2,', 'a.ts'), 'media'],
    [lines('#EXTM3U', '#EXT-X-STREAM-INF:BANDWIDTH=1', 'a.m3u8', '#EXTINF:2,', 'a.ts'), 'mixed'],
    [lines('#EXTM3U', '#EXT-X-VERSION:3'), 'unknown'],
    [lines('#EXTM3U', '#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1,URI="i.m3u8"'), 'unknown'],
    ['', 'unknown'],
  ])('%j is %s', (text, kind) => {
    expect(detectPlaylistKind(text)).toBe(kind);
  });
});

describe('parseMediaPlaylist', () => {
  it('reads a go-livepeer broadcaster playlist', () => {
    const playlist = parseMediaPlaylist(
      [
        '#EXTM3U',
        '#EXT-X-VERSION:3',
        '#EXT-X-MEDIA-SEQUENCE:171',
        '#EXT-X-TARGETDURATION:2',
        '#EXTINF:1.417,',
        '/stream/abc/P144p30fps16x9/533.ts',
        '#EXTINF:2.000,',
        '/stream/abc/P144p30fps16x9/534.ts',
      ].join('\n'),
    );
    expect(playlist).toEqual({
      kind: 'media',
      version: 3,
      targetDuration: 2,
      mediaSequence: 171,
      discontinuitySequence: 0,
      endList: false,
      playlistType: undefined,
      segments: [
        { uri: '/stream/abc/P144p30fps16x9/533.ts', duration: 1.417, discontinuity: false, gap: false, title: '' },
        { uri: '/stream/abc/P144p30fps16x9/534.ts', duration: 2, discontinuity: false, gap: false, title: '' },
      ],
    });
  });

  it('reads every tag it knows, ignores unknown tags and comments, accepts CRLF and a BOM', () => {
    const text =
      '\uFEFF' +
      [
        '#EXTM3U',
        '#EXT-X-VERSION:8',
        '#EXT-X-TARGETDURATION:4',
        '# a comment',
        '#EXT-X-MEDIA-SEQUENCE:7',
        '#EXT-X-DISCONTINUITY-SEQUENCE:2',
        '#EXT-X-PLAYLIST-TYPE:EVENT',
        '#EXT-X-INDEPENDENT-SEGMENTS',
        '#EXTINF:3.5,first title',
        '7.ts',
        '',
        '#EXT-X-DISCONTINUITY',
        '#EXT-X-PROGRAM-DATE-TIME:2020-01-01T00:00:00Z',
        '#EXTINF:4',
        '#EXT-X-GAP',
        '  8.ts  ',
        '#EXT-X-ENDLIST',
      ].join('\r\n');
    const playlist = parseMediaPlaylist(text);
    expect(playlist).toMatchObject({ version: 8, targetDuration: 4, mediaSequence: 7, discontinuitySequence: 2 });
    expect(playlist).toMatchObject({ endList: true, playlistType: 'EVENT' });
    expect(playlist.segments).toEqual([
      { uri: '7.ts', duration: 3.5, discontinuity: false, gap: false, title: 'first title' },
      { uri: '8.ts', duration: 4, discontinuity: true, gap: true, title: '', programDateTime: Date.UTC(2020, 0, 1) },
    ]);
  });

  it('reads a playlist with no segments', () => {
    const playlist = parseMediaPlaylist(lines('#EXTM3U', '#EXT-X-TARGETDURATION:2', '#EXT-X-MEDIA-SEQUENCE:0'));
    expect(playlist.segments).toEqual([]);
    expect(playlist.version).toBeUndefined();
  });

  it.each([
    ['no #EXTM3U', lines('#EXT-X-TARGETDURATION:2', '#EXTINF:2,', 'a.ts'), 1, '#EXTM3U'],
    ['a fractional target duration', lines('#EXTM3U', '#EXT-X-TARGETDURATION:2.5'), 2, '#EXT-X-TARGETDURATION'],
    ['a target duration without value', lines('#EXTM3U', '#EXT-X-TARGETDURATION:'), 2, '#EXT-X-TARGETDURATION'],
    ['no target duration', lines('#EXTM3U', '#EXTINF:2,', 'a.ts'), undefined, '#EXT-X-TARGETDURATION'],
    ['a negative media sequence', lines('#EXTM3U', '#EXT-X-TARGETDURATION:2', '#EXT-X-MEDIA-SEQUENCE:-1'), 3, '#EXT-X-MEDIA-SEQUENCE'],
    [
      'a huge media sequence',
      lines('#EXTM3U', '#EXT-X-TARGETDURATION:2', '#EXT-X-MEDIA-SEQUENCE:99999999999999999'),
      3,
      '#EXT-X-MEDIA-SEQUENCE',
    ],
    ['a duration that is not a number', lines('#EXTM3U', '#EXT-X-TARGETDURATION:2', '#EXTINF:abc,', 'a.ts'), 3, '#EXTINF'],
    ['a negative duration', lines('#EXTM3U', '#EXT-X-TARGETDURATION:2', '#EXTINF:-1,', 'a.ts'), 3, '#EXTINF'],
    ['a duration in exponent form', lines('#EXTM3U', '#EXT-X-TARGETDURATION:2', '#EXTINF:1e3,', 'a.ts'), 3, '#EXTINF'],
    ['an #EXTINF at the end without URI', lines('#EXTM3U', '#EXT-X-TARGETDURATION:2', '#EXTINF:2,'), 3, '#EXTINF'],
    ['an #EXTINF followed by another', lines('#EXTM3U', '#EXT-X-TARGETDURATION:2', '#EXTINF:2,', '#EXTINF:2,', 'a.ts'), 3, '#EXTINF'],
    ['a URI without #EXTINF', lines('#EXTM3U', '#EXT-X-TARGETDURATION:2', 'a.ts'), 3, '#EXTINF'],
    ['a repeated target duration', lines('#EXTM3U', '#EXT-X-TARGETDURATION:2', '#EXT-X-TARGETDURATION:2'), 3, '#EXT-X-TARGETDURATION'],
    ['a second #EXTM3U', lines('#EXTM3U', '#EXTM3U', '#EXT-X-TARGETDURATION:2'), 2, '#EXTM3U'],
    [
      'a media sequence after a segment',
      lines('#EXTM3U', '#EXT-X-TARGETDURATION:2', '#EXTINF:2,', 'a.ts', '#EXT-X-MEDIA-SEQUENCE:1'),
      5,
      '#EXT-X-MEDIA-SEQUENCE',
    ],
    ['an unknown playlist type', lines('#EXTM3U', '#EXT-X-TARGETDURATION:2', '#EXT-X-PLAYLIST-TYPE:LIVE'), 3, '#EXT-X-PLAYLIST-TYPE'],
    ['a version 0', lines('#EXTM3U', '#EXT-X-VERSION:0', '#EXT-X-TARGETDURATION:2'), 2, '#EXT-X-VERSION'],
  ])('rejects %s, naming the line and the tag', (_, text, line, tag) => {
    const error = parseError(() => parseMediaPlaylist(text));
    expect(error.line).toBe(line);
    expect(error.tag).toBe(tag);
    if (line !== undefined) expect(error.message).toMatch(new RegExp(`^line ${line}: `));
  });

  it('rejects a master playlist, and text that is neither kind or both', () => {
    expect(() => parseMediaPlaylist(lines('#EXTM3U', '#EXT-X-STREAM-INF:BANDWIDTH=1', 'a.m3u8'))).toThrow(/expected a media playlist/);
    expect(() => parsePlaylist(lines('#EXTM3U', '#EXT-X-VERSION:3'))).toThrow(/neither a master playlist/);
    expect(() => parsePlaylist(lines('#EXTM3U', '#EXT-X-STREAM-INF:BANDWIDTH=1', 'a.m3u8', '#EXTINF:1,', 'b.ts'))).toThrow(/mixes/);
  });
});

describe('parseMasterPlaylist', () => {
  it('reads a go-livepeer master playlist', () => {
    const playlist = parseMasterPlaylist(
      lines(
        '#EXTM3U',
        '#EXT-X-VERSION:3',
        '#EXT-X-STREAM-INF:PROGRAM-ID=0,BANDWIDTH=4000000,RESOLUTION=0x0',
        'abc/source.m3u8',
        '#EXT-X-STREAM-INF:PROGRAM-ID=0,BANDWIDTH=400000,RESOLUTION=256x144',
        'abc/P144p30fps16x9.m3u8',
      ),
    );
    expect(playlist).toEqual({
      kind: 'master',
      version: 3,
      variants: [
        { uri: 'abc/source.m3u8', bandwidth: 4000000, programId: 0, resolution: { width: 0, height: 0 } },
        { uri: 'abc/P144p30fps16x9.m3u8', bandwidth: 400000, programId: 0, resolution: { width: 256, height: 144 } },
      ],
    });
  });

  it('reads CODECS (commas inside quotes), AVERAGE-BANDWIDTH and FRAME-RATE, and skips other tags', () => {
    const playlist = parseMasterPlaylist(
      lines(
        '#EXTM3U',
        '#EXT-X-INDEPENDENT-SEGMENTS',
        '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="a",NAME="en",URI="audio.m3u8"',
        '#EXT-X-STREAM-INF:BANDWIDTH=900000,AVERAGE-BANDWIDTH=800000,CODECS="avc1.64001f,mp4a.40.2",RESOLUTION=640x360,FRAME-RATE=29.970,AUDIO="a"',
        '360p/index.m3u8',
      ),
    );
    expect(playlist.version).toBeUndefined();
    expect(playlist.variants).toEqual([
      {
        uri: '360p/index.m3u8',
        bandwidth: 900000,
        averageBandwidth: 800000,
        codecs: 'avc1.64001f,mp4a.40.2',
        resolution: { width: 640, height: 360 },
        frameRate: 29.97,
      },
    ]);
  });

  it.each([
    ['no BANDWIDTH', '#EXT-X-STREAM-INF:RESOLUTION=1x1', 'BANDWIDTH'],
    ['a fractional BANDWIDTH', '#EXT-X-STREAM-INF:BANDWIDTH=1.5', 'BANDWIDTH'],
    ['an unquoted CODECS', '#EXT-X-STREAM-INF:BANDWIDTH=1,CODECS=avc1', 'CODECS'],
    ['a malformed RESOLUTION', '#EXT-X-STREAM-INF:BANDWIDTH=1,RESOLUTION=640*360', 'RESOLUTION'],
    ['an unterminated quoted string', '#EXT-X-STREAM-INF:BANDWIDTH=1,CODECS="avc1', 'CODECS'],
    ['a repeated attribute', '#EXT-X-STREAM-INF:BANDWIDTH=1,BANDWIDTH=2', 'BANDWIDTH'],
  ])('rejects a variant with %s', (_, streamInf, tag) => {
    const error = parseError(() => parseMasterPlaylist(lines('#EXTM3U', streamInf, 'a.m3u8')));
    expect(error.line).toBe(2);
    expect(error.tag).toBe(tag);
  });

  it('rejects a #EXT-X-STREAM-INF without URI and a URI without #EXT-X-STREAM-INF', () => {
    expect(parseError(() => parseMasterPlaylist(lines('#EXTM3U', '#EXT-X-STREAM-INF:BANDWIDTH=1'))).line).toBe(2);
    expect(
      parseError(() => parseMasterPlaylist(lines('#EXTM3U', '#EXT-X-STREAM-INF:BANDWIDTH=1', '#EXT-X-STREAM-INF:BANDWIDTH=2', 'b.m3u8')))
        .line,
    ).toBe(2);
    expect(parseError(() => parseMasterPlaylist(lines('#EXTM3U', '#EXT-X-STREAM-INF:BANDWIDTH=1', 'a.m3u8', 'b.m3u8'))).line).toBe(4);
  });
});

describe('parseAttributeList', () => {
  it('keeps quoted values quoted and allows commas inside them', () => {
    expect([...parseAttributeList('A=1,B="x,y",C=0x1F,D=')]).toEqual([
      ['A', '1'],
      ['B', '"x,y"'],
      ['C', '0x1F'],
      ['D', ''],
    ]);
  });

  it.each(['A', 'a=1', 'A=1,', 'A="x"B=1', '=1'])('rejects %j', (text) => {
    expect(() => parseAttributeList(text)).toThrow(PlaylistParseError);
  });
});

describe('limits and hostile input', () => {
  const header = '#EXTM3U\n#EXT-X-TARGETDURATION:2\n';

  it('refuses a playlist above maxBytes before reading it', () => {
    const huge = header + '#EXTINF:2,\na.ts\n'.repeat(4_000_000); // ~60 MB
    const started = Date.now();
    expect(() => parseMediaPlaylist(huge)).toThrow(/larger than 2097152 bytes/);
    expect(() => parseMediaPlaylist(header, { maxBytes: 10 })).toThrow(/larger than 10 bytes/);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('counts bytes, not characters', () => {
    const text = `${header}#EXTINF:2,é\na.ts\n`;
    expect(() => parseMediaPlaylist(text, { maxBytes: text.length })).toThrow(/larger than/);
  });

  it('refuses too many segments, variants, and too long lines', () => {
    expect(() => parseMediaPlaylist(header + '#EXTINF:2,\na.ts\n'.repeat(11), { maxSegments: 10 })).toThrow(
      /line 24: more than 10 segments/,
    );
    expect(() => parseMasterPlaylist('#EXTM3U\n' + '#EXT-X-STREAM-INF:BANDWIDTH=1\na.m3u8\n'.repeat(3), { maxVariants: 2 })).toThrow(
      /more than 2 variants/,
    );
    expect(() => parseMediaPlaylist(`${header}#EXTINF:2,\n${'a'.repeat(9000)}.ts\n`)).toThrow(/line 4: line is longer than 8192/);
  });

  it('parses pathological lines in linear time', () => {
    const started = Date.now();
    const longNumber = '9'.repeat(8000);
    expect(() => parseMediaPlaylist(`#EXTM3U\n#EXT-X-TARGETDURATION:${longNumber}\n`)).toThrow(PlaylistParseError);
    expect(() => parseMediaPlaylist(`${header}#EXTINF:${'1.'.repeat(4000)},\na.ts\n`)).toThrow(PlaylistParseError);
    const manyAttributes = Array.from({ length: 500 }, (_, i) => `A${i}="${','.repeat(5)}"`).join(',');
    expect(() => parseMasterPlaylist(`#EXTM3U\n#EXT-X-STREAM-INF:${manyAttributes}\na.m3u8\n`)).toThrow(/no BANDWIDTH/);
    const maxSize = header + '#EXTINF:2.000,\n/stream/x/1.ts\n'.repeat(9_000);
    expect(parseMediaPlaylist(maxSize).segments).toHaveLength(9_000);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('throws nothing but PlaylistParseError on arbitrary tag soup', () => {
    const fragment = fc.constantFrom(
      '#EXTM3U',
      '#EXTINF:',
      '#EXTINF:2.5,',
      '#EXT-X-TARGETDURATION:',
      '#EXT-X-TARGETDURATION:3',
      '#EXT-X-MEDIA-SEQUENCE:',
      '#EXT-X-STREAM-INF:',
      '#EXT-X-STREAM-INF:BANDWIDTH=',
      'CODECS="',
      ',',
      '=',
      '"',
      '\n',
      '\r\n',
      'a.ts',
      '1',
      '.',
      '-',
      ' ',
      '#',
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(fragment, fc.string({ maxLength: 5 })), { maxLength: 60 }), (parts) => {
        const text = parts.join('');
        try {
          parsePlaylist(text);
        } catch (error) {
          expect(error).toBeInstanceOf(PlaylistParseError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('cross-check with hls-parser (strict mode)', () => {
  beforeAll(() => HLS.setOptions({ strictMode: true }));

  it('agrees on well-formed media playlists', () => {
    const segment = fc.record({
      uri: fc.stringMatching(/^[a-z0-9]{1,8}\/[0-9]{1,5}\.ts$/),
      duration: fc.integer({ min: 1, max: 6000 }).map((ms) => ms / 1000),
      discontinuity: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.array(segment, { maxLength: 12 }),
        fc.nat(100000),
        fc.nat(50),
        fc.boolean(),
        (segments, mediaSequence, discontinuitySequence, endList) => {
          const text = lines(
            '#EXTM3U',
            '#EXT-X-VERSION:3',
            '#EXT-X-TARGETDURATION:6',
            `#EXT-X-MEDIA-SEQUENCE:${mediaSequence}`,
            `#EXT-X-DISCONTINUITY-SEQUENCE:${discontinuitySequence}`,
            ...segments.flatMap((s) => [...(s.discontinuity ? ['#EXT-X-DISCONTINUITY'] : []), `#EXTINF:${s.duration.toFixed(3)},`, s.uri]),
            ...(endList ? ['#EXT-X-ENDLIST'] : []),
          );
          const ours = parseMediaPlaylist(text);
          const theirs = HLS.parse(text) as HLS.types.MediaPlaylist;
          expect(ours.targetDuration).toBe(theirs.targetDuration);
          expect(ours.mediaSequence).toBe(theirs.mediaSequenceBase ?? 0);
          expect(ours.discontinuitySequence).toBe(theirs.discontinuitySequenceBase ?? 0);
          expect(ours.endList).toBe(theirs.endlist);
          expect(ours.segments.map((s) => [s.uri, s.duration, s.discontinuity])).toEqual(
            theirs.segments.map((s) => [s.uri, s.duration, Boolean(s.discontinuity)]),
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});
