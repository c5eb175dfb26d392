/**
 * Pure shaping of ledger rows into the dashboard's chart series: columns (one array per
 * series, aligned on the x values) that a canvas chart takes as they are.
 */
import type { AttemptBucket, SegmentPoint } from '@lib/database';

export interface DropSeries {
  bucketMs: number;
  /** Start of each bucket (epoch ms), oldest first, every bucket of the window. */
  bucketStart: number[];
  /** reason -> drops per bucket, aligned with bucketStart. */
  byReason: Record<string, number[]>;
}

export interface BroadcasterSeries {
  address: string;
  /** Upload attempts towards it per bucket. */
  attempts: number[];
  /** Share of those attempts that succeeded (null in a bucket without attempts). */
  successRate: (number | null)[];
  /** Mean round trip of its successful pushes (null without any). */
  meanRoundTripMs: (number | null)[];
}

/** Bucket starts from the one holding `from` up to the one holding `to`. */
export function bucketStarts(from: number, to: number, bucketMs: number): number[] {
  const out: number[] = [];
  for (let start = Math.floor(from / bucketMs) * bucketMs; start <= to; start += bucketMs) out.push(start);
  return out;
}

export function dropSeries(points: readonly SegmentPoint[], from: number, to: number, bucketMs: number): DropSeries {
  const bucketStart = bucketStarts(from, to, bucketMs);
  const first = bucketStart[0] ?? 0;
  const byReason: Record<string, number[]> = {};
  for (const point of points) {
    if (point.state !== 'dropped') continue;
    const index = Math.floor((point.ingestedAt - first) / bucketMs);
    if (index < 0 || index >= bucketStart.length) continue;
    const reason = point.dropReason ?? 'unknown';
    (byReason[reason] ??= new Array<number>(bucketStart.length).fill(0))[index]++;
  }
  return { bucketMs, bucketStart, byReason };
}

/**
 * Per broadcaster and bucket: a segment uploaded after trying [a, b] is one failure of a and
 * one success of b; a segment never uploaded is a failure of every broadcaster it tried. The
 * ledger keeps the order of attempts, not the winner, so a hedged push that the first
 * broadcaster won after all counts for the second: rare, and on the side of caution.
 */
export function broadcasterSeries(buckets: readonly AttemptBucket[], bucketStart: readonly number[]): BroadcasterSeries[] {
  const index = new Map(bucketStart.map((start, i) => [start, i]));
  const tallies = new Map<string, { ok: number[]; failed: number[]; roundTripMs: number[]; roundTrips: number[] }>();
  const tallyOf = (address: string) => {
    let tally = tallies.get(address);
    if (!tally) {
      const zeros = () => new Array<number>(bucketStart.length).fill(0);
      tally = { ok: zeros(), failed: zeros(), roundTripMs: zeros(), roundTrips: zeros() };
      tallies.set(address, tally);
    }
    return tally;
  };
  for (const bucket of buckets) {
    const i = index.get(bucket.bucketStart);
    if (i === undefined) continue;
    const succeeded = bucket.uploaded ? bucket.broadcasters[bucket.broadcasters.length - 1] : undefined;
    const failed = bucket.uploaded ? bucket.broadcasters.slice(0, -1) : bucket.broadcasters;
    for (const address of failed) tallyOf(address).failed[i] += bucket.n;
    if (succeeded !== undefined) {
      const tally = tallyOf(succeeded);
      tally.ok[i] += bucket.n;
      tally.roundTripMs[i] += bucket.roundTripMsTotal;
      tally.roundTrips[i] += bucket.roundTrips;
    }
  }
  return [...tallies.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([address, t]) => ({
      address,
      attempts: t.ok.map((ok, i) => ok + t.failed[i]),
      successRate: t.ok.map((ok, i) => (ok + t.failed[i] ? ok / (ok + t.failed[i]) : null)),
      meanRoundTripMs: t.roundTripMs.map((total, i) => (t.roundTrips[i] ? Math.round(total / t.roundTrips[i]) : null)),
    }));
}
