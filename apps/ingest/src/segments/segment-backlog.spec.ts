import { backoffDelay } from '@lib/timing';
import { SegmentBacklog, liveDeadline } from './segment-backlog';
import { INFRA_RETRY, LIVEPEER_RETRY } from './ingest-backoffs';

describe('SegmentBacklog', () => {
  it('retries while the waiting segments fit, drops the oldest once they do not', () => {
    const backlog = new SegmentBacklog(3);
    for (let i = 0; i < 3; i++) backlog.add();
    expect(backlog.afterFailure()).toBe('retry');
    backlog.add();
    expect(backlog.size).toBe(4);
    expect(backlog.afterFailure()).toBe('drop');
    backlog.settle();
    expect(backlog.afterFailure()).toBe('retry');
  });

  it('never counts below zero', () => {
    const backlog = new SegmentBacklog(1);
    backlog.settle();
    expect(backlog.size).toBe(0);
  });

  it('drops under sustained outage exactly as many as exceed the limit', () => {
    // Simulates a blocked stage: each new segment arrives while the head keeps failing.
    const backlog = new SegmentBacklog(5);
    let dropped = 0;
    for (let i = 0; i < 20; i++) {
      backlog.add();
      while (backlog.afterFailure() === 'drop') {
        backlog.settle();
        dropped++;
      }
    }
    expect(backlog.size).toBe(5);
    expect(dropped).toBe(15);
  });
});

describe('liveDeadline', () => {
  it('is the factor times the duration after the segment closed', () => {
    expect(liveDeadline(1_000_000, 2000, 5)).toBe(1_010_000);
    expect(liveDeadline(0, 1999, 2.5)).toBe(4998);
  });
});

describe('backoffDelay', () => {
  it('grows exponentially up to the cap', () => {
    const mid = () => 0.5;
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, INFRA_RETRY, mid))).toEqual([200, 400, 800, 1600, 2000, 2000]);
    expect(backoffDelay(20, LIVEPEER_RETRY, mid)).toBe(10_000);
  });

  it('stays within the jitter band', () => {
    for (let i = 0; i < 100; i++) {
      const d = backoffDelay(3, INFRA_RETRY);
      expect(d).toBeGreaterThanOrEqual(640);
      expect(d).toBeLessThanOrEqual(960);
    }
  });
});
