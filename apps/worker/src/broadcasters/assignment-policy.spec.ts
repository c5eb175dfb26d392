import fc from 'fast-check';
import { chooseBroadcaster, mergeFailures, type AssignmentView } from './assignment-policy';

const A = 'http://a:1';
const B = 'http://b:2';
const C = 'http://c:3';

function view(current: string | null, offered: string[], avoided: Record<string, number> = {}): AssignmentView {
  return { current, offered, avoided: new Map(Object.entries(avoided)) };
}

describe('chooseBroadcaster', () => {
  it('assigns a new session at random among the offered broadcasters', () => {
    expect(chooseBroadcaster(view(null, [A, B, C]), { mode: 'random', random: () => 0 })).toEqual({
      address: A,
      reassign: true,
      degraded: false,
    });
    expect(chooseBroadcaster(view(null, [A, B, C]), { mode: 'random', random: () => 0.99 })?.address).toBe(C);
  });

  it('takes the first offered one when the API order carries a region preference', () => {
    expect(chooseBroadcaster(view(null, [B, A]), { mode: 'ordered' })?.address).toBe(B);
  });

  it('keeps a healthy current broadcaster (sessions are sticky)', () => {
    expect(chooseBroadcaster(view(B, [A, B, C]), { mode: 'random', random: () => 0 })).toEqual({
      address: B,
      reassign: false,
      degraded: false,
    });
  });

  it('keeps the current broadcaster when the API offers nothing (API down)', () => {
    expect(chooseBroadcaster(view(B, []))).toEqual({ address: B, reassign: false, degraded: false });
  });

  it('moves a session off a broadcaster that failed, never back onto it while others are usable', () => {
    const choice = chooseBroadcaster(view(A, [A, B], { [A]: 100 }));
    expect(choice).toEqual({ address: B, reassign: true, degraded: false });
  });

  it('moves a session off a broadcaster the API no longer offers (dead or unhealthy)', () => {
    expect(chooseBroadcaster(view(A, [B, C]), { mode: 'random', random: () => 0 })).toEqual({
      address: B,
      reassign: true,
      degraded: false,
    });
  });

  it('avoids broadcasters cooling down after failing other sessions', () => {
    expect(chooseBroadcaster(view(A, [A, B, C], { [A]: 5, [B]: 7 }))?.address).toBe(C);
  });

  it('when every broadcaster failed recently, bets on the one that failed longest ago, degraded', () => {
    expect(chooseBroadcaster(view(A, [A, B], { [A]: 200, [B]: 100 }))).toEqual({ address: B, reassign: true, degraded: true });
    expect(chooseBroadcaster(view(B, [A, B], { [A]: 200, [B]: 100 }))).toEqual({ address: B, reassign: false, degraded: true });
  });

  it('retries a pinned (single) broadcaster degraded rather than giving up', () => {
    expect(chooseBroadcaster(view(A, [A], { [A]: 1 }))).toEqual({ address: A, reassign: false, degraded: true });
  });

  it('has no choice only when nothing is offered or known', () => {
    expect(chooseBroadcaster(view(null, []))).toBeNull();
  });

  it('always returns an offered broadcaster, a usable one whenever one exists (property)', () => {
    const addresses = fc.uniqueArray(fc.constantFrom(A, B, C, 'http://d:4', 'http://e:5'), { minLength: 1 });
    fc.assert(
      fc.property(
        addresses,
        fc.option(fc.constantFrom(A, B, C, 'http://x:9'), { nil: null }),
        fc.dictionary(fc.constantFrom(A, B, C, 'http://d:4'), fc.nat()),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        (offered, current, avoidedRecord, r) => {
          const v = view(current, offered, avoidedRecord);
          const choice = chooseBroadcaster(v, { mode: 'random', random: () => r })!;
          expect(offered).toContain(choice.address);
          const usable = offered.filter((a) => !v.avoided.has(a));
          expect(choice.degraded).toBe(usable.length === 0);
          if (usable.length) expect(usable).toContain(choice.address);
          expect(choice.reassign).toBe(choice.address !== current);
          if (current && usable.includes(current)) expect(choice.address).toBe(current);
        },
      ),
    );
  });
});

describe('mergeFailures', () => {
  it('keeps the latest failure of each broadcaster', () => {
    const merged = mergeFailures(
      [
        [A, 10],
        [B, 30],
      ],
      [[A, 20]],
    );
    expect([...merged.entries()].sort()).toEqual([
      [A, 20],
      [B, 30],
    ]);
  });
});
