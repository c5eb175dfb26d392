/**
 * The only path parts the HLS routes accept. Each is a single path component matched against
 * a strict pattern, so no request can name an object outside `hls/{playbackId}/`.
 */
const PLAYBACK_ID = /^[A-Za-z0-9_-]{1,64}$/;
const RENDITION = /^[A-Za-z0-9_.-]{1,64}$/;
const SEGMENT_FILE = /^(\d{1,15})\.ts$/;

export function isPlaybackId(value: string): boolean {
  return PLAYBACK_ID.test(value);
}

export function isRenditionName(value: string): boolean {
  return RENDITION.test(value) && !/^\.+$/.test(value);
}

/** The msn of `{msn}.ts`, or undefined. */
export function segmentMsn(file: string): number | undefined {
  const match = SEGMENT_FILE.exec(file);
  return match ? Number(match[1]) : undefined;
}

/** Seconds a playlist may be cached: about half its target duration (docs/hls-rules.md rule 10). */
export function playlistMaxAge(text: string): number {
  const match = /^#EXT-X-TARGETDURATION:(\d{1,4})\s*$/m.exec(text);
  const targetDuration = match ? Number(match[1]) : 2;
  return Math.max(1, Math.floor(targetDuration / 2));
}

/** A playlist read back whole: starts with the header and ends with the final newline the writer puts. */
export function isCompletePlaylist(text: string): boolean {
  return text.startsWith('#EXTM3U') && text.endsWith('\n');
}
