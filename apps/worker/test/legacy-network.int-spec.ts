/**
 * The worker against livepeer-local answering like an older Livepeer API (LIVEPEER_LOCAL_DIALECT=
 * legacy): its static broadcaster list keeps offering a killed broadcaster. The worker's own push
 * outcomes make it failing, so it costs new sessions nothing (their first push goes to the
 * survivor), also once its cool-down has run out; the active check keeps it failing while dead.
 */
import Redis from 'ioredis';
import { redisKeys } from '@lib/queue';
import { TEST_REDIS_URL, waitFor, type RunningApp } from '@lib/testing';
import { WorkerTestBed, deliveredInTime, listBroadcasters, metricValue } from './support';

describe('worker behind an older Livepeer API (static broadcaster list)', () => {
  let bed: WorkerTestBed;
  let worker: RunningApp;
  let redis: Redis;
  let keys: ReturnType<typeof redisKeys>;

  beforeAll(async () => {
    bed = await WorkerTestBed.create('worker-legacy', { LIVEPEER_LOCAL_DIALECT: 'legacy' });
    // One failure in a row is enough here, and the cool-down is short, so the failing mark is what keeps sessions away.
    worker = await bed.startWorker({ BROADCASTER_FAILING_AFTER: 1, BROADCASTER_COOLDOWN_MS: 500, BROADCASTER_CHECK_INTERVAL_MS: 500 });
    redis = new Redis(TEST_REDIS_URL);
    keys = redisKeys(bed.env.id);
  });

  afterAll(async () => {
    await worker?.proc.stop();
    redis?.disconnect();
    await bed?.close();
  });

  it('a killed broadcaster stays listed, is failing, and new sessions never push to it', async () => {
    const first = await bed.newSession();
    await bed.ingest.stream(first, 1);
    const [row] = await bed.ingest.settled(first.sessionId, 1);
    const victimAddress = row.broadcasters![0];
    const survivor = bed.addresses().find((a) => a !== victimAddress)!;
    process.kill(bed.network.broadcasters.find((b) => b.address === victimAddress)!.pid, 'SIGKILL');

    await bed.ingest.stream(first, 3);
    const rows = await bed.ingest.settled(first.sessionId, 3);
    expect(rows.every(deliveredInTime)).toBe(true);
    expect(await redis.zscore(keys.broadcastersFailing(), victimAddress)).not.toBeNull();
    // The older API still offers it...
    expect((await listBroadcasters(bed.network.apiUrl)).sort()).toEqual(bed.addresses().sort());
    // ...and its cool-down has run out, yet the active check (run, and failed) keeps it failing.
    await waitFor(async () => (await redis.hget(keys.broadcasterStats(victimAddress), 'lastCheckError')) ?? false, {
      timeoutMs: 10_000,
      what: 'an active check of the dead broadcaster',
    });
    expect(await redis.exists(keys.broadcasterCooldown(victimAddress))).toBe(0);
    expect(await metricValue(worker.url, 'worker_broadcasters_failing')).toBe(1);

    for (let i = 0; i < 4; i++) {
      const s = await bed.newSession();
      await bed.ingest.stream(s, 1);
      const [only] = await bed.ingest.settled(s.sessionId, 1);
      expect(only.broadcasters).toEqual([survivor]);
    }
  });
});
