import type { SegmentPoint } from '@lib/database';
import { broadcasterSeries, bucketStarts, dropSeries } from './history-series';

const MIN = 60_000;
const point = (ingestedAt: number, state: string, dropReason: string | null = null): SegmentPoint => ({
  seq: 0,
  ingestedAt,
  state,
  dropReason,
  roundTripMs: null,
  republishLagMs: null,
});

describe('bucketStarts', () => {
  it('covers the window from the bucket holding its start to the one holding its end', () => {
    expect(bucketStarts(90_000, 200_000, MIN)).toEqual([60_000, 120_000, 180_000]);
  });
});

describe('dropSeries', () => {
  it('counts drops per bucket and reason, aligned with every bucket of the window', () => {
    const series = dropSeries(
      [
        point(61_000, 'dropped', 'fetch-failed'),
        point(62_000, 'republished'),
        point(130_000, 'dropped', 'fetch-failed'),
        point(131_000, 'dropped'),
      ],
      60_000,
      179_000,
      MIN,
    );
    expect(series).toEqual({ bucketMs: MIN, bucketStart: [60_000, 120_000], byReason: { 'fetch-failed': [1, 1], unknown: [0, 1] } });
  });
});

describe('broadcasterSeries', () => {
  it('counts a failure for every broadcaster tried before the one that took the segment', () => {
    const series = broadcasterSeries(
      [
        { bucketStart: 0, broadcasters: ['a', 'b'], uploaded: true, n: 2, roundTripMsTotal: 800, roundTrips: 2 },
        { bucketStart: 0, broadcasters: ['b'], uploaded: true, n: 2, roundTripMsTotal: 200, roundTrips: 2 },
        { bucketStart: MIN, broadcasters: ['a'], uploaded: false, n: 1, roundTripMsTotal: 0, roundTrips: 0 },
        { bucketStart: 99 * MIN, broadcasters: ['c'], uploaded: true, n: 1, roundTripMsTotal: 1, roundTrips: 1 }, // outside the window
      ],
      [0, MIN],
    );
    expect(series).toEqual([
      { address: 'a', attempts: [2, 1], successRate: [0, 0], meanRoundTripMs: [null, null] },
      { address: 'b', attempts: [4, 0], successRate: [1, null], meanRoundTripMs: [250, null] },
    ]);
  });
});
