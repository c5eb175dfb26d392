import { createHash } from 'node:crypto';

/**
 * Rendezvous (highest random weight) hashing: every stitcher copy computes, from the same list
 * of live copies, the same preferred owner for a stream, so copies split the streams between
 * them without talking to each other, and only the streams of a copy that leaves move.
 */
export function preferredOwner(streamId: string, members: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestWeight = -1n;
  for (const member of members) {
    const weight = createHash('sha256').update(`${member}\n${streamId}`).digest().readBigUInt64BE(0);
    if (weight > bestWeight || (weight === bestWeight && best !== undefined && member < best)) {
      best = member;
      bestWeight = weight;
    }
  }
  return best;
}
