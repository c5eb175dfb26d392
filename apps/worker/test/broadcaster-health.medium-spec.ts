/**
 * Honest broadcaster health, in process on real Redis: a broadcaster that fails pushes in a row
 * is failing for every worker, is offered to no new session (also once its cool-down has run
 * out, as when an older API's static list keeps offering a dead one), and comes back only after
 * a success: an active check (GET /status answering 200) or a push.
 */
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { BROADCASTER_STATS_FIELDS, redisKeys, type UploadJobResult } from '@lib/queue';
import { TEST_REDIS_URL, TestEnv } from '@lib/testing';
import { BroadcasterAssignments } from '../src/broadcasters/assignment.service';
import { BroadcasterHealthCheck } from '../src/broadcasters/broadcaster-health-check';
import { BroadcasterStats } from '../src/broadcasters/broadcaster-stats.service';
import { InProcessWorker, StubBroadcaster, StubLivepeerApi } from './in-process-worker';
import { FakeIngest } from './support';

describe('broadcaster health (failing until it succeeds)', () => {
  let env: TestEnv;
  let api: StubLivepeerApi;
  let b1: StubBroadcaster;
  let b2: StubBroadcaster;
  let worker: InProcessWorker;
  let ingest: FakeIngest;
  let redis: Redis;
  const keys = () => redisKeys(env.id);
  const session = () => ({ sessionId: randomUUID(), livepeerStreamId: `lp-${randomUUID().slice(0, 8)}` });

  beforeAll(async () => {
    env = await TestEnv.create({ name: 'worker-health' });
    api = await StubLivepeerApi.start();
    [b1, b2] = [await StubBroadcaster.start(), await StubBroadcaster.start()];
    api.broadcasters = [b1.address, b2.address].sort();
    ingest = await FakeIngest.create(env);
    // The periodic check is driven by the test (checkFailing), not by its timer.
    worker = await InProcessWorker.start(env, api, { BROADCASTER_FAILING_AFTER: 3, BROADCASTER_CHECK_INTERVAL_MS: 600_000 });
    redis = new Redis(TEST_REDIS_URL);
  });

  afterAll(async () => {
    await worker?.close();
    await ingest?.close();
    await Promise.all([api?.close(), b1?.close(), b2?.close()]);
    redis?.disconnect();
    await env?.cleanup();
  });

  const stats = () => worker.get(BroadcasterStats);
  const failing = async () => [...(await stats().failing()).keys()];
  const checkLockFree = (address: string) => redis.del(keys().broadcasterCheckLock(address));

  it('counts a failed push against the broadcaster, and a success resets the streak', async () => {
    const s = session();
    await ingest.ingest(s, 0);
    const first = (await ingest.finishedJob(s.sessionId, 0)).job.returnvalue as UploadJobResult;
    if (first.outcome !== 'uploaded') throw new Error('not uploaded');
    const broken = [b1, b2].find((b) => b.address === first.broadcaster)!;
    broken.fail(['503']);
    await ingest.ingest(s, 1);
    await ingest.finishedJob(s.sessionId, 1);
    const f = BROADCASTER_STATS_FIELDS;
    expect((await redis.hgetall(keys().broadcasterStats(broken.address)))[f.consecutiveFailures]).toBe('1');
    await stats().recordSuccess(broken.address, 100);
    expect((await redis.hgetall(keys().broadcasterStats(broken.address)))[f.consecutiveFailures]).toBe('0');
    expect(await failing()).toEqual([]);
  });

  it('does not count "Too many sessions" (a full broadcaster, not a broken one) towards failing', async () => {
    for (let i = 0; i < 5; i++) await stats().recordFailure(b2.address, 'HTTP 500: Too many sessions (max 10)');
    expect(await failing()).toEqual([]);
    await redis.del(keys().broadcasterStats(b2.address));
  });

  it('marks a broadcaster failing after failures in a row; new sessions never get it, even after its cool-down', async () => {
    for (let i = 0; i < 2; i++) await stats().recordFailure(b1.address, 'push answered 503');
    expect(await failing()).toEqual([]);
    await stats().recordFailure(b1.address, 'push answered 503');
    expect(await failing()).toEqual([b1.address]);
    await redis.del(keys().broadcasterCooldown(b1.address)); // the cool-down has run out

    const assignments = worker.get(BroadcasterAssignments);
    for (let i = 0; i < 8; i++) {
      const s = session();
      expect((await assignments.resolve(s.sessionId))?.address).toBe(b2.address);
    }
  });

  it('keeps it failing while the active check fails, and brings it back when the check answers 200', async () => {
    const check = worker.get(BroadcasterHealthCheck);
    b1.statusCode = 503;
    expect(await check.checkFailing()).toEqual([b1.address]);
    expect(await failing()).toEqual([b1.address]);
    expect(await worker.metric('worker_broadcasters_failing')).toBe(1);
    expect((await redis.hgetall(keys().broadcasterStats(b1.address)))[BROADCASTER_STATS_FIELDS.lastCheckError]).toBe('status answered 503');
    // One worker checks a broadcaster once per interval (the lock), however many run.
    expect(await check.checkFailing()).toEqual([]);

    b1.statusCode = 200;
    await checkLockFree(b1.address);
    expect(await check.checkFailing()).toEqual([b1.address]);
    expect(await failing()).toEqual([]);
    const view = await worker.get(BroadcasterAssignments).view(session().sessionId);
    expect(view.avoided.has(b1.address)).toBe(false);
  });

  it('brings a failing broadcaster back on a successful push (degraded: every broadcaster failing)', async () => {
    for (const b of [b1, b2]) for (let i = 0; i < 3; i++) await stats().recordFailure(b.address, 'push answered 503');
    expect((await failing()).sort()).toEqual([b1.address, b2.address].sort());
    const s = session();
    await ingest.ingest(s, 0);
    const result = (await ingest.finishedJob(s.sessionId, 0)).job.returnvalue as UploadJobResult;
    expect(result.outcome).toBe('uploaded');
    if (result.outcome !== 'uploaded') return;
    expect(await failing()).toEqual([b1, b2].filter((b) => b.address !== result.broadcaster).map((b) => b.address));
  });
});
