import type { LivepeerProfile } from './types';

/**
 * The ladder the current Livepeer API gives a stream created without profiles or presets
 * (docs/livepeer-protocol.md §3.3, studio parse-cli.ts `default-stream-profiles`).
 */
export const DEFAULT_PROFILES: readonly LivepeerProfile[] = Object.freeze([
  { name: '240p0', width: 426, height: 240, bitrate: 250_000, fps: 0, profile: 'H264ConstrainedHigh' },
  { name: '360p0', width: 640, height: 360, bitrate: 800_000, fps: 0, profile: 'H264ConstrainedHigh' },
  { name: '480p0', width: 854, height: 480, bitrate: 1_600_000, fps: 0, profile: 'H264ConstrainedHigh' },
  { name: '720p0', width: 1280, height: 720, bitrate: 3_000_000, fps: 0, profile: 'H264ConstrainedHigh' },
] as LivepeerProfile[]);

export function defaultProfiles(): LivepeerProfile[] {
  return DEFAULT_PROFILES.map((p) => ({ ...p }));
}

/**
 * go-livepeer's built-in `-transcodingOptions` default, used by a broadcaster when no
 * webhook (or a webhook without profiles) tells it the ladder (docs/livepeer-protocol.md §2.2).
 */
export const BROADCASTER_DEFAULT_PRESETS: readonly string[] = Object.freeze(['P240p30fps4x3', 'P360p30fps16x9']);

/** The original rendition's name in every broadcaster playlist. */
export const SOURCE_RENDITION = 'source';

/** Bandwidth go-livepeer hard-codes for the source rendition in its master playlist. */
export const SOURCE_BANDWIDTH = 4_000_000;

/** `renditions` map of a stream: rendition name -> playlist path under the API host. */
export function renditionPaths(streamId: string, names: string[]): Record<string, string> {
  return Object.fromEntries(names.map((name) => [name, renditionPath(streamId, name)]));
}

export function renditionPath(streamId: string, rendition: string): string {
  return `/stream/${streamId}/${rendition}.m3u8`;
}
