import { orderForRegion, shuffle } from './broadcaster-registry.service';

describe('broadcaster ordering', () => {
  const entries = [
    { address: 'a', region: 'eu' },
    { address: 'b', region: 'us' },
    { address: 'c', region: 'eu' },
    { address: 'd', region: 'us' },
  ];

  it('shuffles without losing or duplicating anyone', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const order = shuffle(entries).map((e) => e.address);
      expect([...order].sort()).toEqual(['a', 'b', 'c', 'd']);
      seen.add(order.join());
    }
    expect(seen.size).toBeGreaterThan(1);
  });

  it('puts the requested region first, case-insensitively', () => {
    for (let i = 0; i < 20; i++) {
      const order = orderForRegion(entries, 'US').map((e) => e.region);
      expect(order).toEqual(['us', 'us', 'eu', 'eu']);
    }
    expect(orderForRegion(entries, 'mars')).toHaveLength(4);
  });
});
