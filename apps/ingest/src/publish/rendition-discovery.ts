import { type LearnedRenditions, type LivepeerApiClient, renditionsFromMasterPlaylist } from '@lib/livepeer';
import { sleep } from '@lib/timing';

/**
 * How long a session may wait for the broadcasters' master playlist when the API stored no ladder:
 * its first segments must be pushed and transcoded first (a few segment durations).
 */
export const RENDITION_DISCOVERY_TIMEOUT_MS = 30_000;
const RENDITION_DISCOVERY_INTERVAL_MS = 1000;

/** The renditions a session republishes, or why it has none (then it is shown "not transcoding"). */
export type SessionRenditions = (LearnedRenditions & { problem?: undefined }) | { renditions: null; source: null; problem: string };

/**
 * The amalgamated master playlist `/stream/{id}.m3u8` read every second until it lists a
 * rendition besides `source` (docs/livepeer-protocol.md §5.2), at most RENDITION_DISCOVERY_TIMEOUT_MS.
 */
export async function discoverRenditions(
  livepeer: Pick<LivepeerApiClient, 'fetchPlaylist'>,
  playbackUrl: string,
  livepeerStreamId: string,
  signal: AbortSignal,
  timeoutMs = RENDITION_DISCOVERY_TIMEOUT_MS,
): Promise<SessionRenditions> {
  const url = `${playbackUrl.replace(/\/+$/, '')}/stream/${encodeURIComponent(livepeerStreamId)}.m3u8`;
  const until = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (!signal.aborted) {
    try {
      const found = renditionsFromMasterPlaylist(livepeerStreamId, await livepeer.fetchPlaylist(url, signal));
      if (found) return found;
      last = 'it lists only the source';
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() >= until) break;
    await sleep(RENDITION_DISCOVERY_INTERVAL_MS, signal);
  }
  return {
    renditions: null,
    source: null,
    problem: `not transcoding: the Livepeer API stored no ladder and its master playlist ${url} names no rendition (${last})`,
  };
}
