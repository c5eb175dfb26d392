/**
 * Smoke tests of failover between real processes: livepeer-local (passthrough, two
 * broadcaster processes), one worker process, real Redis, S3 server and PostgreSQL, at a live
 * stream's real-time cadence (10 segments of 2 s). A fault is injected just before a chosen
 * segment is cut. Each failure kind (hang, 4xx, every broadcaster refusing until the
 * deadline, object store outage, missing object) is covered in milliseconds by the medium
 * tier, upload-job.medium-spec.ts; these cases prove the same wiring across processes.
 */
import Redis from 'ioredis';
import { redisKeys } from '@lib/queue';
import { TEST_REDIS_URL, waitFor, type RunningApp } from '@lib/testing';
import { WorkerTestBed, deliveredInTime, listBroadcasters, metricValue, pushesPerSeq, setFaults } from './support';

const SEGMENTS = 10;

describe('worker failover (livepeer-local, passthrough)', () => {
  let bed: WorkerTestBed;
  let worker: RunningApp;
  let redis: Redis;
  let keys: ReturnType<typeof redisKeys>;
  const addresses = () => bed.addresses();

  beforeAll(async () => {
    bed = await WorkerTestBed.create('worker-failover');
    worker = await bed.startWorker();
    redis = new Redis(TEST_REDIS_URL);
    keys = redisKeys(bed.env.id);
  });

  afterEach(() => bed.clearFaults());

  afterAll(async () => {
    await worker?.proc.stop();
    redis?.disconnect();
    await bed?.close();
  });

  const current = (sessionId: string) => redis.get(keys.sessionBroadcaster(sessionId));

  it('a broadcaster answering 500: the segment lands on the other one, recorded as reassigned', async () => {
    const session = await bed.newSession();
    let failed = '';
    const reassignmentsBefore = await metricValue(worker.url, 'worker_session_reassignments_total');
    await bed.ingest.stream(session, SEGMENTS, async (seq) => {
      if (seq !== 3) return;
      failed = (await current(session.sessionId))!;
      await setFaults(failed, { failNext: 1, failStatus: 500, failBody: 'injected 500' });
    });
    const rows = await bed.ingest.settled(session.sessionId, SEGMENTS);

    expect(rows.every(deliveredInTime)).toBe(true);
    const other = addresses().find((a) => a !== failed)!;
    expect(rows[3]).toMatchObject({ attempts: 2, broadcasters: [failed, other] });
    for (const row of rows.slice(0, 3)) expect(row.broadcasters).toEqual([failed]);
    for (const row of rows.slice(4)) expect(row.broadcasters).toEqual([other]);
    expect(await current(session.sessionId)).toBe(other);
    expect(await metricValue(worker.url, 'worker_session_reassignments_total', { reason: 'push-failed' })).toBeGreaterThan(
      reassignmentsBefore,
    );
    expect(
      await metricValue(worker.url, 'worker_upload_attempts_total', { broadcaster: failed, outcome: 'status' }),
    ).toBeGreaterThanOrEqual(1);
    expect(await metricValue(worker.url, 'worker_segment_realtime_ratio_count')).toBeGreaterThanOrEqual(SEGMENTS);
    expect(await metricValue(worker.url, 'worker_segment_round_trip_seconds_count')).toBeGreaterThanOrEqual(SEGMENTS);
    // Every segment was accepted exactly once; the extra PUT is the refused one.
    const pushes = await pushesPerSeq(addresses(), session.livepeerStreamId);
    expect([...pushes.entries()].sort(([a], [b]) => a - b)).toEqual(rows.map((r) => [r.seq, r.seq === 3 ? 2 : 1]));
    // Stats for the admin API, summed over workers.
    const stats = await redis.hgetall(keys.broadcasterStats(failed));
    expect(Number(stats.failures)).toBeGreaterThanOrEqual(1);
    expect(Number(stats.successes)).toBeGreaterThanOrEqual(3);
  });

  it('a broadcaster process killed mid-stream: every later segment goes to the survivor', async () => {
    const session = await bed.newSession();
    let killed = '';
    let killedAtSeq = -1;
    await bed.ingest.stream(session, SEGMENTS, async (seq) => {
      if (seq !== 4) return;
      killed = (await current(session.sessionId))!;
      killedAtSeq = seq;
      const victim = bed.network.broadcasters.find((b) => b.address === killed)!;
      process.kill(victim.pid, 'SIGKILL');
    });
    const rows = await bed.ingest.settled(session.sessionId, SEGMENTS);

    const survivor = addresses().find((a) => a !== killed)!;
    expect(rows.every(deliveredInTime)).toBe(true);
    for (const row of rows.slice(0, killedAtSeq)) expect(row.broadcasters).toEqual([killed]);
    // The first segment after the kill finds out (connection refused) and moves the session
    // (unless the API already stopped offering the dead one)...
    expect([[killed, survivor], [survivor]]).toContainEqual(rows[killedAtSeq].broadcasters);
    // ...and every later one goes straight to the survivor.
    for (const row of rows.slice(killedAtSeq + 1)) expect(row.broadcasters).toEqual([survivor]);
    await waitFor(async () => (await listBroadcasters(bed.network.apiUrl)).join() === survivor, {
      timeoutMs: 5000,
      what: 'the killed broadcaster to leave /api/broadcaster',
    });
  });
});
