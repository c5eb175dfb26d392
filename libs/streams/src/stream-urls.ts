import { commonConfig, ingestConfig, stitcherConfig, type Env } from '@lib/config';

/** Where encoders publish and players play, as shown to people (CLI, admin API). */
export interface StreamUrlSettings {
  /** e.g. rtmp://relay.example.com:1935/live */
  rtmpBase: string;
  /** e.g. http://relay.example.com:8081/live */
  pushBase: string;
  /** e.g. http://relay.example.com:8080 (the stitcher) */
  playbackBase: string;
}

export interface PublishUrls {
  /** rtmp://host:1935/live/{streamKey} */
  rtmp: string;
  /** http://host:8081/live/{streamKey}/{seq}.ts: PUT each segment, seq counting up */
  httpPush: string;
}

/** Built from the settings of whichever app asks (ingest, stitcher, the CLI): each reads the same variables. */
export function streamUrlSettingsFromEnv(env: Env = process.env): StreamUrlSettings {
  const common = commonConfig.load(env);
  const ingest = ingestConfig.load(env);
  const stitcher = stitcherConfig.load(env);
  return {
    rtmpBase: ingest.publicRtmpUrl ?? `rtmp://${common.publicHost}:${ingest.rtmpPort}/live`,
    pushBase: ingest.publicPushUrl ?? `http://${common.publicHost}:${ingest.httpPort}/live`,
    playbackBase: `http://${common.publicHost}:${stitcher.httpPort}`,
  };
}

export function publishUrls(settings: StreamUrlSettings, streamKey: string): PublishUrls {
  return {
    rtmp: `${settings.rtmpBase}/${streamKey}`,
    httpPush: `${settings.pushBase}/${streamKey}/{seq}.ts`,
  };
}

/** The republished master playlist, served by the stitcher. */
export function playbackUrl(settings: StreamUrlSettings, playbackId: string): string {
  return `${settings.playbackBase}/hls/${playbackId}/index.m3u8`;
}
