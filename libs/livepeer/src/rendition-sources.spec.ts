import { describe, expect, it } from 'vitest';
import { RELAY_DEFAULT_PRESETS, explicitLadder, renditionsFromAnswer, renditionsFromMasterPlaylist } from './rendition-sources';

describe('explicitLadder', () => {
  it('sends the relay default as explicit profiles when the stream has no ladder', () => {
    const ladder = explicitLadder({});
    expect(ladder.map((p) => p.name)).toEqual([...RELAY_DEFAULT_PRESETS]);
    expect(ladder.every((p) => p.fps > 0 && p.width >= 128)).toBe(true);
    expect(explicitLadder(undefined)).toEqual(ladder);
  });

  it('keeps custom profiles and expands presets in order', () => {
    const custom = { name: 'low', width: 256, height: 144, bitrate: 200_000, fps: 15 };
    expect(explicitLadder({ profiles: [custom], presets: ['P240p30fps16x9'] })).toEqual([
      custom,
      { name: 'P240p30fps16x9', width: 426, height: 240, bitrate: 600_000, fps: 30 },
    ]);
  });
});

describe('renditionsFromAnswer', () => {
  it('takes the renditions map first, leaving out source', () => {
    expect(
      renditionsFromAnswer({ id: 's', renditions: { a: '/stream/s/a.m3u8', source: '/stream/s/source.m3u8' }, profiles: [], presets: [] }),
    ).toEqual({ renditions: { a: '/stream/s/a.m3u8' }, source: 'api-answer' });
  });

  it('falls back to the stored profiles and presets when the answer has no renditions', () => {
    const answer = {
      id: 's',
      renditions: {},
      profiles: [{ name: 'x', width: 426, height: 240, bitrate: 400_000, fps: 30 }],
      presets: ['P144p30fps16x9'],
    };
    expect(renditionsFromAnswer(answer)).toEqual({
      renditions: { x: '/stream/s/x.m3u8', P144p30fps16x9: '/stream/s/P144p30fps16x9.m3u8' },
      source: 'api-profiles',
    });
    const noMap = { id: 's', profiles: answer.profiles } as unknown as Parameters<typeof renditionsFromAnswer>[0];
    expect(renditionsFromAnswer(noMap)?.source).toBe('api-profiles');
  });

  it('is null when the API stored no ladder at all', () => {
    expect(renditionsFromAnswer({ id: 's', renditions: {}, profiles: [], presets: [] })).toBeNull();
  });
});

describe('renditionsFromMasterPlaylist', () => {
  const master = [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    '#EXT-X-STREAM-INF:PROGRAM-ID=0,BANDWIDTH=4000000,RESOLUTION=640x360',
    's/source.m3u8',
    '#EXT-X-STREAM-INF:PROGRAM-ID=0,BANDWIDTH=1200000,RESOLUTION=640x360',
    's/P360p30fps16x9.m3u8',
    '#EXT-X-STREAM-INF:PROGRAM-ID=0,BANDWIDTH=600000,RESOLUTION=320x240',
    's/P240p30fps4x3.m3u8',
    '',
  ].join('\n');

  it('names every variant but source', () => {
    expect(renditionsFromMasterPlaylist('s', master)).toEqual({
      renditions: { P360p30fps16x9: '/stream/s/P360p30fps16x9.m3u8', P240p30fps4x3: '/stream/s/P240p30fps4x3.m3u8' },
      source: 'master-playlist',
    });
  });

  it('is null for a source-only or unreadable playlist', () => {
    expect(renditionsFromMasterPlaylist('s', master.split('\n').slice(0, 4).join('\n'))).toBeNull();
    expect(renditionsFromMasterPlaylist('s', 'not a playlist')).toBeNull();
  });
});
