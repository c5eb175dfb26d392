import { isSafeVariantName, renditionsOf } from './session-republisher';

describe('renditions of a session', () => {
  const base = 'http://lp:3004';

  it('uses the renditions map the API returned', () => {
    const list = renditionsOf(
      {
        livepeerStreamId: 'abc',
        renditions: { live_360p: '/stream/abc/live_360p.m3u8', live_source: '/stream/abc/source.m3u8' },
        profiles: [],
      },
      base,
    );
    expect(list).toEqual([
      { name: 'live_360p', playlistUrl: 'http://lp:3004/stream/abc/live_360p.m3u8' },
      { name: 'live_source', playlistUrl: 'http://lp:3004/stream/abc/source.m3u8' },
    ]);
  });

  it('falls back to one rendition per profile when the map is empty (2020 API)', () => {
    const list = renditionsOf(
      { livepeerStreamId: 'abc', renditions: {}, profiles: [{ name: '240p0', width: 426, height: 240, bitrate: 250_000, fps: 0 }] },
      base,
    );
    expect(list).toEqual([{ name: '240p0', playlistUrl: 'http://lp:3004/stream/abc/240p0.m3u8' }]);
  });

  it('leaves out names that cannot be a path part, and the reserved "source"', () => {
    const refused: string[] = [];
    const list = renditionsOf(
      { livepeerStreamId: 'abc', renditions: { '..': '/x', 'a/b': '/y', source: '/z', ok: 'http://elsewhere/ok.m3u8' }, profiles: [] },
      base,
      (n) => refused.push(n),
    );
    expect(refused).toEqual(['..', 'a/b', 'source']);
    // A path that is not relative to the playback host is not followed.
    expect(list).toEqual([{ name: 'ok', playlistUrl: 'http://lp:3004/stream/abc/ok.m3u8' }]);
    expect(isSafeVariantName('P144p30fps16x9')).toBe(true);
  });
});
