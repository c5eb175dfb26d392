import type { WowzaPayload } from '@lib/livepeer';
import { WowzaHydrateError, hydrateWowza, wowzaRenditionName } from './wowza-hydrate';

function encode(name: string, extra: Record<string, unknown>) {
  return { name, enable: true, streamName: `mp4:\${SourceStreamName}_${name}`, videoCodec: 'H.264', ...extra };
}

/** Shaped like the LivepeerWowza payload in the API's own test data (docs/livepeer-protocol.md §3.1, §3.2). */
function payload(encodes: Record<string, unknown>[], fps = 30): WowzaPayload {
  return {
    transcoderAppConfig: { templatesInUse: '${SourceStreamName}.xml,transrate.xml' },
    transcoderTemplateAppConfig: {
      transrate: {
        name: 'transrate',
        encodes,
        streamNameGroups: [
          {
            name: 'all',
            streamName: '${SourceStreamName}_all',
            Members: [
              { encodeName: '360p', memberName: '360p' },
              { encodeName: '240p', memberName: '240p' },
              { encodeName: '720p', memberName: '720p' },
            ],
          },
        ],
      },
    },
    sourceInfo: { width: 1920, height: 1080, fps },
    streamNameGroups: [],
  };
}

describe('hydrateWowza', () => {
  const id = 'de7818e7-610a-4057-8f6f-b785dc1e6f88';

  it('maps enabled encodes to custom profiles and PassThru to the source rendition', () => {
    const result = hydrateWowza(
      id,
      'test_stream',
      payload(
        [
          encode('source', { width: 0, height: 0, videoCodec: 'PassThru' }),
          encode('720p', { width: 1280, height: 720, videoBitrate: '1300000', enable: false }),
          encode('360p', { width: 640, height: 360, videoBitrate: '850000' }),
          encode('240p', { width: 360, height: 240, videoBitrate: '350000' }),
        ],
        29.97,
      ),
    );
    expect(result.profiles).toEqual([
      { name: 'test_stream_360p', width: 640, height: 360, bitrate: 850000, fps: 30 },
      { name: 'test_stream_240p', width: 360, height: 240, bitrate: 350000, fps: 30 },
    ]);
    expect(result.renditions).toEqual({
      test_stream_source: `/stream/${id}/source.m3u8`,
      test_stream_360p: `/stream/${id}/test_stream_360p.m3u8`,
      test_stream_240p: `/stream/${id}/test_stream_240p.m3u8`,
    });
    expect(result.presets).toEqual([]);
    expect(result.streamNameGroups).toEqual([{ name: 'test_stream_all', renditions: ['test_stream_360p', 'test_stream_240p'] }]);
  });

  it('derives a 0 dimension from the source aspect ratio, even-sized, and drops 0x0 encodes', () => {
    const result = hydrateWowza(
      id,
      's',
      payload([encode('a', { width: 0, height: 250, videoBitrate: 400000 }), encode('b', { width: 0, height: 0, videoBitrate: 1 })]),
    );
    // 250 * 16/9 = 444.4 -> 444
    expect(result.profiles).toEqual([{ name: 's_a', width: 444, height: 250, bitrate: 400000, fps: 30 }]);
  });

  it('does not skip the encode after a dropped one (a quirk of the original)', () => {
    const result = hydrateWowza(
      id,
      's',
      payload([encode('x', { width: 0, height: 0 }), encode('y', { width: 320, height: 180, videoBitrate: '500000' })]),
    );
    expect(result.profiles.map((p) => p.name)).toEqual(['s_y']);
  });

  it('fails clearly without a template in use', () => {
    const p = payload([]);
    p.transcoderAppConfig.templatesInUse = 'nothing.xml';
    expect(() => hydrateWowza(id, 's', p)).toThrow(new WowzaHydrateError('no template found from templatesInUse'));
  });

  it('strips everything up to the first colon of the stream name', () => {
    expect(wowzaRenditionName('mp4:${SourceStreamName}_360p', 'live')).toBe('live_360p');
    expect(wowzaRenditionName('${SourceStreamName}_360p', 'live')).toBe('live_360p');
  });
});
