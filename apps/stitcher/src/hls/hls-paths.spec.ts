import { isCompletePlaylist, isPlaybackId, isRenditionName, playlistMaxAge, segmentMsn } from './hls-paths';

describe('HLS path parts', () => {
  it('accepts what the relay writes', () => {
    expect(isPlaybackId('a1B2-c3_d4')).toBe(true);
    expect(isRenditionName('P144p30fps16x9')).toBe(true);
    expect(isRenditionName('test_stream_360p')).toBe(true);
    expect(isRenditionName('240p0')).toBe(true);
    expect(segmentMsn('1234.ts')).toBe(1234);
  });

  it.each(['..', '.', '...', '../x', 'a/b', 'a\\b', '', 'x'.repeat(65), '%2e%2e', 'a b', 'a\n'])('refuses rendition %j', (name) => {
    expect(isRenditionName(name)).toBe(false);
  });

  it.each(['..', 'a.b', 'a/b', '', 'x'.repeat(65), 'a%2F'])('refuses playback id %j', (id) => {
    expect(isPlaybackId(id)).toBe(false);
  });

  it.each(['12.m3u8', '-1.ts', '1.ts.ts', '../1.ts', 'index.ts', `${'9'.repeat(16)}.ts`, '1.TS'])('refuses segment file %j', (file) => {
    expect(segmentMsn(file)).toBeUndefined();
  });

  it('caches a playlist for about half its target duration', () => {
    expect(playlistMaxAge('#EXTM3U\n#EXT-X-TARGETDURATION:4\n')).toBe(2);
    expect(playlistMaxAge('#EXTM3U\n#EXT-X-TARGETDURATION:1\n')).toBe(1);
    expect(playlistMaxAge('#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nx\n')).toBe(1);
  });

  it('tells a whole playlist from a truncated read', () => {
    expect(isCompletePlaylist('#EXTM3U\n#EXT-X-VERSION:3\n')).toBe(true);
    expect(isCompletePlaylist('')).toBe(false);
    expect(isCompletePlaylist('#EXTM3U\n#EXT-X-VER')).toBe(false);
  });
});
