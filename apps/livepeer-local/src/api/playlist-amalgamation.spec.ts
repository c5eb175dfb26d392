import fc from 'fast-check';
import { parseMasterPlaylist, parseMediaPlaylist, segmentSequenceNumber } from '@lib/hls';
import {
  PlaylistComposeError,
  composeMasterPlaylists,
  composeMediaPlaylists,
  composePlaylists,
  type PlaylistInput,
} from './playlist-amalgamation';

const STREAM = '/stream/60f2242c/P144p30fps16x9';

/** A go-livepeer broadcaster media playlist listing `{seq}.ts` with the given durations. */
function broadcasterPlaylist(segments: Array<[seq: number, duration: number]>, mediaSequence = 0): string {
  return [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    `#EXT-X-MEDIA-SEQUENCE:${mediaSequence}`,
    '#EXT-X-TARGETDURATION:2',
    ...segments.flatMap(([seq, duration]) => [`#EXTINF:${duration.toFixed(3)},`, `${STREAM}/${seq}.ts`]),
  ].join('\n');
}

function mediaOutput(mediaSequence: number, targetDuration: number, segments: Array<[uri: string, duration: number]>): string {
  return `${[
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    `#EXT-X-MEDIA-SEQUENCE:${mediaSequence}`,
    `#EXT-X-TARGETDURATION:${targetDuration}`,
    ...segments.flatMap(([uri, duration]) => [`#EXTINF:${duration.toFixed(3)},`, uri]),
  ].join('\n')}\n`;
}

const seqsOf = (text: string | null) => parseMediaPlaylist(text!).segments.map((s) => segmentSequenceNumber(s.uri));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

// The three broadcasters of docs/livepeer-protocol.md §5.2 (each holds a gappy subset; nobody has 535).
const playlist1 = broadcasterPlaylist(
  [
    [533, 1.417],
    [534, 2],
    [537, 1.875],
    [543, 2],
    [545, 1.791],
    [546, 1.5],
  ],
  171,
);
const playlist2 = broadcasterPlaylist(
  [
    [536, 2],
    [538, 1.333],
    [540, 1.375],
    [542, 2],
    [544, 1.625],
    [547, 2],
  ],
  195,
);
const playlist3 = broadcasterPlaylist(
  [
    [523, 2],
    [524, 2],
    [526, 1.792],
    [539, 2],
    [541, 1.167],
    [550, 2],
  ],
  162,
);
const referenceInputs: PlaylistInput[] = [
  { url: 'test://playlist1', body: playlist1 },
  { url: 'test://playlist2', body: playlist2 },
  { url: 'test://playlist3', body: playlist3 },
];

describe('composeMediaPlaylists', () => {
  it('merges the reference example: seq 535 is missing, so the chosen run starts at 536', () => {
    // Which broadcaster listed each seq of the chosen run 536..547, and its duration.
    const broadcaster = [2, 1, 2, 3, 2, 3, 2, 1, 2, 1, 1, 2];
    const duration = [2, 1.875, 1.333, 2, 1.375, 1.167, 2, 2, 1.625, 1.791, 1.5, 2];
    const expected = mediaOutput(
      536,
      2,
      range(536, 547).map((seq, i) => [`test://playlist${broadcaster[i]}${STREAM}/${seq}.ts`, duration[i]]),
    );
    expect(composeMediaPlaylists(referenceInputs)).toBe(expected);
    expect(composePlaylists(referenceInputs)).toBe(expected);
  });

  it('keeps the last `limit` segments (the object-store variant)', () => {
    const store = { url: 'test://store', body: broadcasterPlaylist(range(0, 22).map((seq) => [seq, 2])) };
    const live = {
      url: 'test://live',
      body: broadcasterPlaylist(
        range(21, 26).map((seq) => [seq, 2]),
        21,
      ),
    };
    expect(seqsOf(composeMediaPlaylists([store, live]))).toEqual(range(0, 26));
    const limited = composeMediaPlaylists([store, live], { limit: 10 });
    expect(seqsOf(limited)).toEqual(range(17, 26));
    expect(parseMediaPlaylist(limited!).mediaSequence).toBe(17);
    expect(() => composeMediaPlaylists([store], { limit: 0 })).toThrow(PlaylistComposeError);
  });

  describe('choosing among runs separated by gaps', () => {
    const compose = (...seqs: number[]) =>
      seqsOf(composeMediaPlaylists([{ url: 'http://b/', body: broadcasterPlaylist(seqs.map((s) => [s, 2])) }]));

    it('waits for late arrivals: a newest run shorter than 5 gives way to an older, longer one', () => {
      expect(compose(...range(10, 16), 18, 19)).toEqual(range(10, 16));
    });

    it('prefers the newest run once it has 5 segments, even if an older one is longer', () => {
      expect(compose(...range(10, 20), ...range(22, 26))).toEqual(range(22, 26));
    });

    it('keeps a short newest run when every older run is shorter still', () => {
      expect(compose(1, 3, 4, 6, 7, 8)).toEqual([6, 7, 8]);
    });

    it('walks further back while the choice is still short', () => {
      // runs newest-first: [20], [17,18], [10..13]: 1 -> 2 -> 4 segments.
      expect(compose(...range(10, 13), 17, 18, 20)).toEqual(range(10, 13));
    });

    it('handles sequence numbers far apart without walking the range between them', () => {
      const started = Date.now();
      expect(compose(0, 1, 2, 999_999_999_999, 1_000_000_000_000)).toEqual([0, 1, 2]);
      expect(Date.now() - started).toBeLessThan(100);
    });
  });

  it('does not depend on the order segments arrive in, except for which copy of a duplicate wins', () => {
    const a = {
      url: 'http://a/',
      body: broadcasterPlaylist([
        [5, 2],
        [3, 2],
        [4, 1],
      ]),
    };
    const b = {
      url: 'http://b/',
      body: broadcasterPlaylist([
        [4, 1.5],
        [2, 2],
        [6, 2],
      ]),
    };
    expect(composeMediaPlaylists([a, b])).toBe(
      mediaOutput(2, 2, [
        [`http://b${STREAM}/2.ts`, 2],
        [`http://a${STREAM}/3.ts`, 2],
        [`http://a${STREAM}/4.ts`, 1],
        [`http://a${STREAM}/5.ts`, 2],
        [`http://b${STREAM}/6.ts`, 2],
      ]),
    );
    // Same seqs the other way round; the first input to list seq 4 now is b.
    const reversed = parseMediaPlaylist(composeMediaPlaylists([b, a])!);
    expect(reversed.segments.map((s) => s.uri)).toContain(`http://b${STREAM}/4.ts`);
    expect(reversed.segments.map((s) => segmentSequenceNumber(s.uri))).toEqual(range(2, 6));
  });

  it('composes from the broadcasters that answered when one is down', () => {
    const [one, two] = referenceInputs;
    // Without playlist3, 539 and 541 are missing: newest-first runs [542..547], [540], [536..538], [533, 534].
    expect(seqsOf(composeMediaPlaylists([one, two]))).toEqual(range(542, 547));
    // Only every other seq: all runs have one segment, and "at least as long" walks back to the oldest.
    expect(seqsOf(composeMediaPlaylists([two]))).toEqual([536]);
  });

  it('takes the target duration from the kept segments, rounded up', () => {
    // Seq 1 (4 s) is not in the chosen run 3..7, whose longest segment is 2.001 s.
    const body = broadcasterPlaylist([
      [1, 4],
      [3, 2.001],
      [4, 2],
      [5, 2],
      [6, 2],
      [7, 2],
    ]);
    const composed = parseMediaPlaylist(composeMediaPlaylists([{ url: 'http://b/', body }])!);
    expect(composed.segments.map((s) => segmentSequenceNumber(s.uri))).toEqual(range(3, 7));
    expect(composed.targetDuration).toBe(3);
  });

  describe('inputs without segments (the original threw)', () => {
    const empty = { url: 'http://empty/', body: '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-TARGETDURATION:4\n' };

    it('ignores an empty broadcaster playlist next to others', () => {
      expect(composeMediaPlaylists([empty, ...referenceInputs])).toBe(composeMediaPlaylists(referenceInputs));
    });

    it('returns a valid playlist with no segments when nobody has any', () => {
      const text = composeMediaPlaylists([empty, { ...empty, url: 'http://empty2/', body: empty.body.replace(':4', ':2') }]);
      expect(text).toBe('#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-TARGETDURATION:4\n');
      expect(parseMediaPlaylist(text!).segments).toEqual([]);
    });

    it('reports a bare header (neither kind) next to media playlists and leaves it out', () => {
      const bare = { url: 'http://bare/', body: '#EXTM3U\n#EXT-X-VERSION:3' };
      const reported: string[] = [];
      const text = composePlaylists([bare, ...referenceInputs], { onInvalidInput: (input) => reported.push(input.url) });
      expect(text).toBe(composeMediaPlaylists(referenceInputs));
      expect(reported).toEqual(['http://bare/']);
    });
  });

  it('leaves out and reports inputs that do not parse, returning null when none does', () => {
    const broken = { url: 'http://broken/', body: '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:oops,\n1.ts\n' };
    const badUrl = { url: 'not a url', body: broadcasterPlaylist([[1, 2]]).replace(`${STREAM}/1.ts`, '1.ts') };
    const reported: Array<[string, string]> = [];
    const onInvalidInput = (input: PlaylistInput, error: Error) => reported.push([input.url, error.name]);
    expect(composeMediaPlaylists([broken, ...referenceInputs, badUrl], { onInvalidInput })).toBe(composeMediaPlaylists(referenceInputs));
    expect(reported).toEqual([
      ['http://broken/', 'PlaylistParseError'],
      ['not a url', 'TypeError'],
    ]);
    expect(composeMediaPlaylists([broken])).toBeNull();
  });

  it('resolves relative URIs against the playlist URL and keeps absolute ones', () => {
    const body = [
      '#EXTM3U',
      '#EXT-X-TARGETDURATION:2',
      '#EXTINF:2,',
      '1.ts',
      '#EXTINF:2,',
      '../other/2.ts?token=x',
      '#EXTINF:2,',
      'https://cdn.example/x/3.ts',
      '#EXTINF:2,',
      '/stream/abc/4.ts',
    ].join('\n');
    const text = composeMediaPlaylists([{ url: 'http://b1:8935/stream/abc/P144.m3u8?x=1', body }]);
    expect(parseMediaPlaylist(text!).segments.map((s) => s.uri)).toEqual([
      'http://b1:8935/stream/abc/1.ts',
      'http://b1:8935/stream/other/2.ts?token=x',
      'https://cdn.example/x/3.ts',
      'http://b1:8935/stream/abc/4.ts',
    ]);
  });

  it('rejects mixed and unrecognisable inputs, and has nothing to say without inputs', () => {
    const master = { url: 'http://m/', body: '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\na.m3u8\n' };
    expect(composePlaylists([])).toBeNull();
    expect(composeMediaPlaylists([])).toBeNull();
    expect(() => composePlaylists([master, ...referenceInputs])).toThrow(/cannot combine master and media/);
    expect(() => composePlaylists([{ url: 'http://x/', body: '<html>' }])).toThrow(/unable to determine/);
    expect(() => composeMediaPlaylists([master])).toThrow(/expected media playlists, got master/);
    expect(() => composeMasterPlaylists(referenceInputs)).toThrow(/expected master playlists, got media/);
  });

  it('always yields a parseable playlist of consecutive seqs taken from the inputs (property)', () => {
    const broadcaster = fc.array(fc.tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 100, max: 4000 })), { maxLength: 25 });
    fc.assert(
      fc.property(fc.array(broadcaster, { minLength: 1, maxLength: 4 }), fc.option(fc.integer({ min: 1, max: 12 })), (lists, limit) => {
        const inputs = lists.map((segments, i) => ({
          url: `http://b${i}:8935/x.m3u8`,
          body: broadcasterPlaylist(segments.map(([seq, ms]) => [seq, ms / 1000])),
        }));
        const parsed = parseMediaPlaylist(composeMediaPlaylists(inputs, { limit: limit ?? undefined })!);
        const seqs = parsed.segments.map((s) => segmentSequenceNumber(s.uri)!);
        const available = new Set(lists.flat().map(([seq]) => seq));
        if (available.size === 0) {
          expect(seqs).toEqual([]);
          return;
        }
        expect(seqs.length).toBeGreaterThan(0);
        expect(parsed.mediaSequence).toBe(seqs[0]);
        seqs.forEach((seq, i) => i > 0 && expect(seq).toBe(seqs[i - 1] + 1));
        seqs.forEach((seq) => expect(available.has(seq)).toBe(true));
        if (limit) expect(seqs.length).toBeLessThanOrEqual(limit);
        expect(Math.max(...available)).toBeGreaterThanOrEqual(seqs[seqs.length - 1]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('composeMasterPlaylists', () => {
  const master = (...variants: string[]) => ['#EXTM3U', '#EXT-X-VERSION:3', ...variants].join('\n');
  const variant = (bandwidth: number, resolution: string, uri: string) => [
    `#EXT-X-STREAM-INF:PROGRAM-ID=0,BANDWIDTH=${bandwidth},RESOLUTION=${resolution}`,
    uri,
  ];

  it('merges the reference masters: union by URI, highest bandwidth first, relative URIs kept', () => {
    const source = variant(4000000, '0x0', 'abc/source.m3u8');
    const p144 = variant(400000, '256x144', 'abc/P144p30fps16x9.m3u8');
    const p360 = variant(1200000, '640x360', 'abc/P360p30fps16x9.m3u8');
    const inputs = [
      { url: 'http://b1/stream/abc.m3u8', body: master(...source, ...p144) },
      { url: 'http://b2/stream/abc.m3u8', body: master(...source, ...p360) },
      { url: 'http://b3/stream/abc.m3u8', body: master(...p144, ...p360) },
    ];
    const expected = `${master(...source, ...p360, ...p144)}\n`;
    expect(composeMasterPlaylists(inputs)).toBe(expected);
    expect(composePlaylists(inputs)).toBe(expected);
  });

  it('lets a later input win for the same URI and carries CODECS, AVERAGE-BANDWIDTH and FRAME-RATE', () => {
    const first = master(...variant(100, '2x2', 'a.m3u8'), ...variant(300, '6x6', 'c.m3u8'));
    const second = master('#EXT-X-STREAM-INF:BANDWIDTH=500,AVERAGE-BANDWIDTH=450,CODECS="avc1.42c01e,mp4a.40.2",FRAME-RATE=30', 'a.m3u8');
    const text = composeMasterPlaylists([
      { url: 'http://1/', body: first },
      { url: 'http://2/', body: second },
    ]);
    expect(text).toBe(
      `${master(
        '#EXT-X-STREAM-INF:BANDWIDTH=500,AVERAGE-BANDWIDTH=450,CODECS="avc1.42c01e,mp4a.40.2",FRAME-RATE=30.000',
        'a.m3u8',
        ...variant(300, '6x6', 'c.m3u8'),
      )}\n`,
    );
    expect(parseMasterPlaylist(text!).variants.map((v) => v.uri)).toEqual(['a.m3u8', 'c.m3u8']);
  });
});
