import { FailureLimiter, clientAddress } from './failure-limiter';

describe('FailureLimiter', () => {
  let now = 0;
  const limiter = () => new FailureLimiter(3, 60_000, () => now);

  beforeEach(() => {
    now = 1_000_000;
  });

  it('lets an address fail `limit` times, then refuses it until the oldest failure leaves the window', () => {
    const l = limiter();
    for (let i = 0; i < 3; i++) {
      expect(l.retryAfterMs('10.0.0.1')).toBe(0);
      l.recordFailure('10.0.0.1');
      now += 1000;
    }
    expect(l.retryAfterMs('10.0.0.1')).toBe(57_000);
    now += 57_000;
    expect(l.retryAfterMs('10.0.0.1')).toBe(0);
    l.recordFailure('10.0.0.1');
    expect(l.retryAfterMs('10.0.0.1')).toBe(1000); // the second failure is now the oldest of three
  });

  it('keeps addresses apart, and treats IPv4-mapped IPv6 as IPv4', () => {
    const l = limiter();
    for (let i = 0; i < 3; i++) l.recordFailure('::ffff:10.0.0.1');
    expect(l.retryAfterMs('10.0.0.1')).toBeGreaterThan(0);
    expect(l.retryAfterMs('10.0.0.2')).toBe(0);
    expect(clientAddress(undefined)).toBe('unknown');
  });

  it('forgets failures older than the window', () => {
    const l = limiter();
    l.recordFailure('10.0.0.1');
    l.recordFailure('10.0.0.1');
    now += 60_001;
    l.recordFailure('10.0.0.1');
    expect(l.retryAfterMs('10.0.0.1')).toBe(0);
  });
});
