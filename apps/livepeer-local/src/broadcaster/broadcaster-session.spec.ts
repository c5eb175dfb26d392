import { parseMasterPlaylist, parseMediaPlaylist } from '@lib/hls';
import { MediaWindow } from './playlists';
import { BroadcasterSession } from './broadcaster-session';

const profiles = [
  { name: '240p', width: 426, height: 240, bitrate: 250_000, fps: 0 },
  { name: '144p', width: 256, height: 144, bitrate: 150_000, fps: 0 },
];

describe('go-livepeer style playlists', () => {
  it('keeps a 6-segment window whose media sequence counts dropped segments', () => {
    const w = new MediaWindow();
    for (const seq of [10, 11, 12, 13, 14, 15, 16, 17]) w.insert({ seq, durationMs: seq === 12 ? 2500 : 2000 });
    const text = w.render((seq) => `/stream/m/240p/${seq}.ts`);
    expect(text).toBe(
      [
        '#EXTM3U',
        '#EXT-X-VERSION:3',
        '#EXT-X-MEDIA-SEQUENCE:2',
        '#EXT-X-TARGETDURATION:3',
        ...[12, 13, 14, 15, 16, 17].flatMap((s) => [`#EXTINF:${s === 12 ? '2.500' : '2.000'},`, `/stream/m/240p/${s}.ts`]),
        '',
      ].join('\n'),
    );
  });

  it('sorts out-of-order arrivals and refuses duplicates', () => {
    const w = new MediaWindow();
    expect([3, 1, 2].map((seq) => w.insert({ seq, durationMs: 1000 }))).toEqual([true, true, true]);
    expect(w.insert({ seq: 2, durationMs: 1000 })).toBe(false);
    expect(w.segments.map((s) => s.seq)).toEqual([1, 2, 3]);
  });

  it('lists source first, then the profiles once they have segments', () => {
    const session = new BroadcasterSession('ext', 'man', profiles, '640x360', 10);
    expect(parseMasterPlaylist(session.masterPlaylist()).variants.map((v) => v.uri)).toEqual(['man/source.m3u8']);
    session.addSegment(5, 2000, Buffer.from('s'), [Buffer.from('a'), Buffer.from('b')]);
    const master = parseMasterPlaylist(session.masterPlaylist());
    expect(master.variants.map((v) => [v.uri, v.bandwidth, v.resolution])).toEqual([
      ['man/source.m3u8', 4_000_000, { width: 640, height: 360 }],
      ['man/240p.m3u8', 250_000, { width: 426, height: 240 }],
      ['man/144p.m3u8', 150_000, { width: 256, height: 144 }],
    ]);
    expect(master.variants[0].programId).toBe(0);
    const media = parseMediaPlaylist(session.mediaPlaylist('144p')!);
    expect(media.segments.map((s) => s.uri)).toEqual(['/stream/man/144p/5.ts']);
    expect(session.segment('144p', 5)!.toString()).toBe('b');
    expect(session.mediaPlaylist('720p')).toBeUndefined();
  });

  it('ignores a re-pushed sequence number and evicts the oldest kept bytes', () => {
    const session = new BroadcasterSession('e', 'm', profiles, undefined, 2);
    for (const seq of [1, 2, 3]) session.addSegment(seq, 2000, Buffer.from(`s${seq}`), [Buffer.from('a'), Buffer.from('b')]);
    expect(session.addSegment(2, 2000, Buffer.from('x'), [Buffer.from('x'), Buffer.from('x')])).toBe(false);
    expect(parseMediaPlaylist(session.mediaPlaylist('source')!).segments).toHaveLength(3);
    expect(session.segment('source', 1)).toBeUndefined();
    expect(session.segment('source', 2)!.toString()).toBe('s2');
    expect(session.renditionsOf(3)!.map(String)).toEqual(['a', 'b']);
    expect(session.renditionsOf(1)).toBeUndefined();
    expect(session.hasCompleted(1)).toBe(true);
  });
});
