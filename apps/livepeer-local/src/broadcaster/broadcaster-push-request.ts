/** Pure parsing of a push request (docs/livepeer-protocol.md §2.2). */

/** go-livepeer accepts 0..300 s segments (server/broadcast.go maxDurationSec). */
export const MAX_DURATION_MS = 300_000;
const DEFAULT_DURATION_MS = 2000;

export interface BroadcasterPushTarget {
  manifestId: string;
  seq: number;
}

/**
 * `/live/{manifestID}/{seq}.ts` -> ids; undefined when the path has no manifest or no `.ts`
 * file (400). A non-numeric file name counts as sequence number 0, as in go-livepeer.
 */
export function parsePushPath(path: string): BroadcasterPushTarget | undefined {
  const match = /^\/live\/([^/]+)\/([^/]+)$/.exec(path);
  if (!match) return undefined;
  const [, manifestId, file] = match;
  if (!file.endsWith('.ts')) return undefined;
  let decoded: string;
  try {
    decoded = decodeURIComponent(manifestId);
  } catch {
    return undefined; // malformed percent-encoding
  }
  const seq = parseInt(file.slice(0, -3), 10);
  return { manifestId: decoded, seq: Number.isFinite(seq) && seq >= 0 ? seq : 0 };
}

/** `Content-Duration` in integer ms; missing or unparseable -> 2000 ms. */
export function parseDuration(header: string | undefined): number {
  if (header === undefined || !/^\s*-?\d+\s*$/.test(header)) return DEFAULT_DURATION_MS;
  return parseInt(header, 10);
}
