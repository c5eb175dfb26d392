import fc from 'fast-check';
import { SegmentStartClock, segmentStartedAt, strictlyAfter } from './segment-start-clock';

const ANCHOR = Date.UTC(2026, 11, 1, 10, 0, 0, 0);

describe('segment start times', () => {
  it('are the anchor plus the cut start, at millisecond precision', () => {
    expect(segmentStartedAt(ANCHOR, 2.345, undefined)).toBe(ANCHOR + 2345);
    expect(new Date(segmentStartedAt(ANCHOR, 2.3454, undefined)).toISOString()).toBe('2026-12-01T10:00:02.345Z');
  });

  it('strictly increase, spaced by the media durations of the cuts', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60_000 }),
        fc.array(fc.integer({ min: 1, max: 10_000 }), { minLength: 1, maxLength: 50 }),
        (firstMs, durationsMs) => {
          const clock = new SegmentStartClock();
          clock.anchor(ANCHOR);
          clock.anchor(ANCHOR + 5000); // a later tag never moves the anchor
          let startSec = firstMs / 1000;
          const starts = durationsMs.map((durationMs) => {
            const at = clock.cutAt(startSec, 0);
            startSec += durationMs / 1000;
            return at;
          });
          expect(starts[0]).toBe(ANCHOR + firstMs);
          for (let i = 1; i < starts.length; i++) {
            expect(starts[i]).toBeGreaterThan(starts[i - 1]);
            expect(Math.abs(starts[i] - starts[i - 1] - durationsMs[i - 1])).toBeLessThanOrEqual(1);
          }
        },
      ),
    );
  });

  it('never go back, whatever the cut times or arrivals say', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.double({ min: -5, max: 100, noNaN: true }), fc.constant(0)), { minLength: 1, maxLength: 50 }),
        (startsSec) => {
          const clock = new SegmentStartClock();
          clock.anchor(ANCHOR);
          const starts = startsSec.map((s) => clock.cutAt(s, 0));
          for (let i = 1; i < starts.length; i++) expect(starts[i]).toBeGreaterThan(starts[i - 1]);
        },
      ),
    );
    const push = new SegmentStartClock();
    expect([ANCHOR, ANCHOR, ANCHOR - 10, ANCHOR + 2000].map((t) => push.arrivedAt(t))).toEqual([
      ANCHOR,
      ANCHOR + 1,
      ANCHOR + 2,
      ANCHOR + 2000,
    ]);
    expect(strictlyAfter(5, undefined)).toBe(5);
  });

  it('fall back to the wall clock before any media tag anchored them', () => {
    const clock = new SegmentStartClock();
    expect(clock.anchored).toBe(false);
    expect(clock.cutAt(4, ANCHOR)).toBe(ANCHOR);
  });
});

describe('the RTMP anchor', () => {
  it('moves back to the earliest origin the tags imply until the first cut, never before the floor', () => {
    const clock = new SegmentStartClock();
    clock.notBefore(ANCHOR - 300);
    clock.anchor(ANCHOR); // the first tag, held by the encoder while its publish was accepted
    clock.observe(ANCHOR + 10, 200); // a burst: 200 ms of media 10 ms later
    expect(clock.cutAt(0, 0)).toBe(ANCHOR - 190);
    clock.observe(ANCHOR, 5000); // after the first cut the anchor is fixed
    expect(clock.cutAt(2, 0)).toBe(ANCHOR - 190 + 2000);

    const floored = new SegmentStartClock();
    floored.notBefore(ANCHOR - 50);
    floored.anchor(ANCHOR);
    floored.observe(ANCHOR, 400);
    floored.observe(ANCHOR + 500, 400); // later than implied: no change
    expect(floored.cutAt(0, 0)).toBe(ANCHOR - 50);
  });
});
