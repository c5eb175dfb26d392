import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { redisConfig, stitcherConfig } from '@lib/config';
import { redisKeys } from '@lib/queue';
import { TEST_REDIS_URL, deleteRedisPrefix, waitFor } from '@lib/testing';
import { LeaseService } from './lease.service';

const TTL_MS = 1000;

/** Keeps this thread's event loop busy, as a long republish loop would. */
function blockEventLoop(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    /* busy */
  }
}

describe('LeaseService (real Redis)', () => {
  const prefix = `test-lease-${randomUUID().slice(0, 8)}`;
  const keys = redisKeys(prefix);
  let redis: Redis;
  let lease: LeaseService;

  beforeEach(() => {
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
    lease = new LeaseService(
      redis,
      keys,
      stitcherConfig.load({ STITCHER_LEASE_TTL_MS: String(TTL_MS) }),
      redisConfig.load({ REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix }),
    );
  });

  afterEach(async () => {
    await lease.onModuleDestroy();
    redis.disconnect();
    await deleteRedisPrefix(TEST_REDIS_URL, prefix);
  });

  it('keeps its leases while the event loop is blocked for three lease lifetimes', async () => {
    expect(await lease.tryAcquire('s1')).toBe(true);
    blockEventLoop(3 * TTL_MS);
    // Still ours without this thread having run a single callback: renewed by the renewal thread.
    expect(lease.holds('s1')).toBe(true);
    expect(await redis.get(keys.stitcherLease('s1'))).toBe(lease.instanceId);
  });

  it('reports a lease another copy took, and stops treating it as held', async () => {
    const lost: string[] = [];
    lease.onLost((streamId) => lost.push(streamId));
    expect(await lease.tryAcquire('s2')).toBe(true);
    await redis.set(keys.stitcherLease('s2'), 'another-copy', 'PX', 10_000);
    await waitFor(() => lost.includes('s2'), { timeoutMs: 5 * TTL_MS, what: 'the lost lease reported' });
    expect(lease.holds('s2')).toBe(false);
    expect(lease.held()).not.toContain('s2');
    expect(await redis.get(keys.stitcherLease('s2'))).toBe('another-copy');
  });

  it('releases a lease at once: another copy can take it, this one no longer holds it', async () => {
    expect(await lease.tryAcquire('s3')).toBe(true);
    await lease.release('s3');
    expect(lease.holds('s3')).toBe(false);
    expect(lease.held()).not.toContain('s3');
    expect(await redis.get(keys.stitcherLease('s3'))).toBeNull();
    expect(await redis.set(keys.stitcherLease('s3'), 'another-copy', 'PX', TTL_MS, 'NX')).toBe('OK');
  });
});
