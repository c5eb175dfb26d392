import { preferredOwner } from './rendezvous';

describe('rendezvous hashing', () => {
  const streams = Array.from({ length: 400 }, (_, i) => `stream-${i}`);

  it('gives every copy the same answer whatever the member order', () => {
    for (const s of streams.slice(0, 50)) expect(preferredOwner(s, ['a', 'b', 'c'])).toBe(preferredOwner(s, ['c', 'a', 'b']));
  });

  it('splits streams roughly evenly', () => {
    const counts = { a: 0, b: 0 } as Record<string, number>;
    for (const s of streams) counts[preferredOwner(s, ['a', 'b'])!]++;
    expect(counts.a).toBeGreaterThan(150);
    expect(counts.b).toBeGreaterThan(150);
  });

  it('moves only the streams of a copy that leaves', () => {
    for (const s of streams) {
      const before = preferredOwner(s, ['a', 'b', 'c'])!;
      const after = preferredOwner(s, ['a', 'b'])!;
      if (before !== 'c') expect(after).toBe(before);
    }
  });

  it('has no owner without members', () => {
    expect(preferredOwner('s', [])).toBeUndefined();
  });
});
