/** How many client addresses are remembered at most; past it the oldest are forgotten first. */
const MAX_ADDRESSES = 100_000;

/**
 * Counts failed credential checks (wrong admin token, unknown stream key) per client
 * address in a sliding window. Once an address has `limit` failures in the window,
 * its further attempts are refused without being checked until the oldest of those
 * failures leaves the window, so a guesser gets `limit` tries per window. Addresses
 * are independent: a client that presents the right credential from elsewhere is
 * never slowed down by someone else's guessing.
 */
export class FailureLimiter {
  /** address -> times (ms) of its recent failures, oldest first, at most `limit` of them */
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds until `address` may try again; 0 when it may try now. */
  retryAfterMs(address: string | undefined): number {
    const times = this.recent(clientAddress(address));
    if (!times || times.length < this.limit) return 0;
    return Math.max(1, times[0] + this.windowMs - this.now());
  }

  recordFailure(address: string | undefined): void {
    const key = clientAddress(address);
    const times = this.recent(key) ?? [];
    times.push(this.now());
    if (times.length > this.limit) times.shift();
    this.failures.delete(key); // re-inserted last: the map stays ordered by latest failure
    this.failures.set(key, times);
    if (this.failures.size > MAX_ADDRESSES) this.failures.delete(this.failures.keys().next().value!);
  }

  /** The failures of `key` still inside the window (expired ones are dropped). */
  private recent(key: string): number[] | undefined {
    const times = this.failures.get(key);
    if (!times) return undefined;
    const since = this.now() - this.windowMs;
    while (times.length && times[0] <= since) times.shift();
    if (!times.length) {
      this.failures.delete(key);
      return undefined;
    }
    return times;
  }
}

/** `::ffff:10.0.0.1` and `10.0.0.1` are the same client. */
export function clientAddress(address: string | undefined): string {
  if (!address) return 'unknown';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
