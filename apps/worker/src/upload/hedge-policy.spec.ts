import { MIN_HEDGE_DELAY_MS, RoundTripTracker, hedgeDelay } from './hedge-policy';

describe('hedge policy', () => {
  const settings = { roundTrips: 3, maxFraction: 0.5 };

  it('hedges after a few usual round trips, within [minimum, fraction of the duration]', () => {
    expect(hedgeDelay(settings, 2000, 200)).toBe(600);
    expect(hedgeDelay(settings, 2000, 30)).toBe(MIN_HEDGE_DELAY_MS);
    expect(hedgeDelay(settings, 2000, 900)).toBe(1000);
    expect(hedgeDelay(settings, 1000, 400)).toBe(500);
  });

  it('waits the longest for a broadcaster it has no round trip of, and never when turned off', () => {
    expect(hedgeDelay(settings, 2000, undefined)).toBe(1000);
    expect(hedgeDelay({ ...settings, roundTrips: 0 }, 2000, 100)).toBeUndefined();
  });

  it('follows a broadcaster whose round trips change, without jumping on one outlier', () => {
    const tracker = new RoundTripTracker();
    expect(tracker.usualOf('b')).toBeUndefined();
    tracker.observe('b', 100);
    expect(tracker.usualOf('b')).toBe(100);
    tracker.observe('b', 1100);
    expect(tracker.usualOf('b')).toBe(300);
    for (let i = 0; i < 30; i++) tracker.observe('b', 1100);
    expect(tracker.usualOf('b')!).toBeGreaterThan(1090);
  });
});
