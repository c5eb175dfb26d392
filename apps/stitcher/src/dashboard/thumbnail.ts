import { el } from './dom.js';

/**
 * A stream's live thumbnail (/hls/{playbackId}/thumbnail.jpg), fetched anew on each refresh; it
 * hides itself while there is none (404 before the first segment).
 */
export function liveThumbnail(playbackId: string, refreshedAt = Date.now()): HTMLImageElement {
  const img = el('img', null, 'thumbnail');
  img.alt = '';
  img.width = 96;
  img.addEventListener('error', () => (img.hidden = true));
  // The refresh time in the query defeats the browser cache, not the stitcher's (max-age=1).
  img.src = `/hls/${encodeURIComponent(playbackId)}/thumbnail.jpg?t=${Math.floor(refreshedAt / 2000)}`;
  return img;
}

/** The part of a stream's playback URL after /hls/: its playback id. */
export function playbackIdOf(playbackUrl: string): string | undefined {
  return /\/hls\/([A-Za-z0-9_-]+)\/index\.m3u8$/.exec(playbackUrl)?.[1];
}

/** The live thumbnail of a stream from its playback URL (an empty span when the URL names none). */
export function streamThumbnail(playbackUrl: string): HTMLElement {
  const playbackId = playbackIdOf(playbackUrl);
  return playbackId ? liveThumbnail(playbackId) : el('span');
}
