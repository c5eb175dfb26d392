import { HEDGE_BURST, HedgeBudget, MIN_HEDGE_DELAY_MS, RoundTripTracker, hedgeDelay } from './hedge-policy';

describe('hedge policy', () => {
  const settings = { roundTrips: 3, maxFraction: 0.25, budgetPercent: 10 };

  it('hedges after a few usual round trips, within [minimum, fraction of the duration]', () => {
    expect(hedgeDelay(settings, 2000, 100)).toBe(300);
    expect(hedgeDelay(settings, 2000, 30)).toBe(MIN_HEDGE_DELAY_MS);
    expect(hedgeDelay(settings, 2000, 300)).toBe(500);
    expect(hedgeDelay(settings, 1000, 100)).toBe(MIN_HEDGE_DELAY_MS);
  });

  it("never hedges a broadcaster's ordinary answers, even when it is always slow", () => {
    expect(hedgeDelay(settings, 2000, 600)).toBe(900);
    expect(hedgeDelay(settings, 2000, 1200)).toBe(1800);
  });

  it('waits the longest for a broadcaster it has no round trip of, and never when turned off', () => {
    expect(hedgeDelay(settings, 2000, undefined)).toBe(500);
    expect(hedgeDelay({ ...settings, roundTrips: 0 }, 2000, 100)).toBeUndefined();
  });

  it("gives a session's first push to a broadcaster (its set-up there) a whole segment's duration", () => {
    expect(hedgeDelay(settings, 2000, 100, true)).toBe(2000);
    expect(hedgeDelay(settings, 2000, undefined, true)).toBe(2000);
    expect(hedgeDelay(settings, 100, 30, true)).toBe(MIN_HEDGE_DELAY_MS);
    expect(hedgeDelay({ ...settings, roundTrips: 0 }, 2000, 100, true)).toBeUndefined();
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

  it('hedges at most its share of the pushes, with a burst saved up', () => {
    const budget = new HedgeBudget(10);
    let hedged = 0;
    for (let i = 0; i < 100; i++) {
      budget.pushStarted();
      if (budget.take()) hedged++;
    }
    // The saved-up burst, then one in ten.
    expect(hedged).toBe(HEDGE_BURST + Math.floor((100 - HEDGE_BURST) / 10));
    const full = new HedgeBudget(100);
    for (let i = 0; i < 20; i++) {
      full.pushStarted();
      expect(full.take()).toBe(true);
    }
  });
});
