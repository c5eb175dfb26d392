import { playbackUrl, publishUrls, streamUrlSettingsFromEnv } from './stream-urls';

describe('stream URLs', () => {
  it('default to PUBLIC_HOST and the ports of ingest and the stitcher', () => {
    const settings = streamUrlSettingsFromEnv({ PUBLIC_HOST: 'relay.example.com' });
    expect(settings).toEqual({
      rtmpBase: 'rtmp://relay.example.com:1935/live',
      pushBase: 'http://relay.example.com:8081/live',
      playbackBase: 'http://relay.example.com:8080',
    });
    expect(publishUrls(settings, 'KEY')).toEqual({
      rtmp: 'rtmp://relay.example.com:1935/live/KEY',
      httpPush: 'http://relay.example.com:8081/live/KEY/{seq}.ts',
    });
    expect(playbackUrl(settings, 'abc')).toBe('http://relay.example.com:8080/hls/abc/index.m3u8');
  });

  it('use the public URLs when set (behind a load balancer)', () => {
    const settings = streamUrlSettingsFromEnv({
      INGEST_PUBLIC_RTMP_URL: 'rtmps://live.example.com/live/',
      INGEST_PUBLIC_PUSH_URL: 'https://push.example.com/live',
    });
    expect(publishUrls(settings, 'K')).toEqual({
      rtmp: 'rtmps://live.example.com/live/K',
      httpPush: 'https://push.example.com/live/K/{seq}.ts',
    });
  });
});
