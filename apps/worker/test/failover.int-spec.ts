/**
 * Broadcaster failures against livepeer-local (passthrough, two broadcaster processes),
 * one worker process, real Redis, S3 server and PostgreSQL. Each case is a 20 s stream
 * (10 segments of 2 s at real-time cadence) on its own Livepeer stream; a fault is injected
 * just before a chosen segment is cut.
 */
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { SegmentEntity } from '@lib/database';
import { redisKeys } from '@lib/queue';
import { startEmbeddedS3 } from '@lib/runtime';
import { TEST_REDIS_URL, TestEnv, sleep, waitFor, type RunningApp } from '@lib/testing';
import {
  FakeIngest,
  LivepeerNetwork,
  SEGMENT_MS,
  clearFaults,
  createLivepeerStream,
  listBroadcasters,
  metricValue,
  pushesPerSeq,
  setFaults,
  startLivepeerLocal,
  startWorker,
} from './support';

const SEGMENTS = 10;
const DEADLINE_MS = 5 * SEGMENT_MS;

describe('worker failover (livepeer-local, passthrough)', () => {
  let env: TestEnv;
  let network: LivepeerNetwork;
  let worker: RunningApp;
  let ingest: FakeIngest;
  let redis: Redis;
  let keys: ReturnType<typeof redisKeys>;
  const addresses = () => network.broadcasters.map((b) => b.address);

  beforeAll(async () => {
    env = await TestEnv.create({ name: 'worker-failover' });
    network = await startLivepeerLocal(env, { LIVEPEER_LOCAL_BROADCASTERS: 2 });
    worker = await startWorker(env, network);
    ingest = await FakeIngest.create(env);
    redis = new Redis(TEST_REDIS_URL);
    keys = redisKeys(env.id);
  });

  afterEach(async () => {
    await Promise.all(addresses().map((b) => clearFaults(b).catch(() => undefined)));
  });

  afterAll(async () => {
    await worker?.proc.stop();
    await network?.app.proc.stop();
    await ingest?.close();
    redis?.disconnect();
    await env?.cleanup();
  });

  async function newSession() {
    const sessionId = randomUUID();
    return { sessionId, livepeerStreamId: await createLivepeerStream(network.apiUrl, `failover-${sessionId.slice(0, 8)}`) };
  }

  const current = (sessionId: string) => redis.get(keys.sessionBroadcaster(sessionId));
  const lastBroadcaster = (row: SegmentEntity) => row.broadcasters[row.broadcasters.length - 1];
  const deliveredInTime = (row: SegmentEntity) => row.state === 'uploaded' && row.uploadedAt! - row.ingestedAt <= DEADLINE_MS;

  it('a broadcaster answering 500: the segment lands on the other one, recorded as reassigned', async () => {
    const session = await newSession();
    let failed = '';
    const reassignmentsBefore = await metricValue(worker.url, 'worker_session_reassignments_total');
    await ingest.stream(session, SEGMENTS, async (seq) => {
      if (seq !== 3) return;
      failed = (await current(session.sessionId))!;
      await setFaults(failed, { failNext: 1, failStatus: 500, failBody: 'injected 500' });
    });
    const rows = await ingest.settled(session.sessionId, SEGMENTS);

    expect(rows.every(deliveredInTime)).toBe(true);
    const other = addresses().find((a) => a !== failed)!;
    expect(rows[3]).toMatchObject({ attempts: 2, broadcasters: [failed, other] });
    for (const row of rows.slice(0, 3)) expect(row.broadcasters).toEqual([failed]);
    for (const row of rows.slice(4)) expect(row.broadcasters).toEqual([other]);
    expect(await current(session.sessionId)).toBe(other);
    expect(await metricValue(worker.url, 'worker_session_reassignments_total', { reason: 'push-failed' })).toBeGreaterThan(reassignmentsBefore);
    expect(await metricValue(worker.url, 'worker_upload_attempts_total', { broadcaster: failed, outcome: 'status' })).toBeGreaterThanOrEqual(1);
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

  it('a broadcaster that hangs: the push times out (2 x duration) and is delivered elsewhere within the deadline', async () => {
    const session = await newSession();
    let hung = '';
    await ingest.stream(session, SEGMENTS, async (seq) => {
      if (seq !== 3) return;
      hung = (await current(session.sessionId))!;
      await setFaults(hung, { hangNext: 1 });
    });
    const rows = await ingest.settled(session.sessionId, SEGMENTS);

    expect(rows.every(deliveredInTime)).toBe(true);
    const other = addresses().find((a) => a !== hung)!;
    expect(rows[3].broadcasters).toEqual([hung, other]);
    // The hung attempt was given its full read timeout before the move.
    expect(rows[3].uploadedAt! - rows[3].ingestedAt).toBeGreaterThanOrEqual(2 * SEGMENT_MS);
    // Segments cut while the hung push was still waiting may have gone to the (now
    // answering) first broadcaster; from one read timeout later, all go to the other.
    for (const row of rows.slice(6)) expect(row.broadcasters).toEqual([other]);
    expect(await metricValue(worker.url, 'worker_upload_attempts_total', { broadcaster: hung, outcome: 'timeout' })).toBeGreaterThanOrEqual(1);
  });

  it('a 4xx from the broadcaster is not retried, and is recorded as broadcaster-rejected', async () => {
    const session = await newSession();
    let rejecting = '';
    await ingest.stream(session, SEGMENTS, async (seq) => {
      if (seq !== 3) return;
      rejecting = (await current(session.sessionId))!;
      await setFaults(rejecting, { failNext: 1, failStatus: 422, failBody: 'Cannot probe codec' });
    });
    const rows = await ingest.settled(session.sessionId, SEGMENTS);

    expect(rows[3]).toMatchObject({ state: 'dropped', dropReason: 'broadcaster-rejected', attempts: 1, broadcasters: [rejecting] });
    expect(rows[3].dropDetail).toContain('422');
    expect(rows[3].dropDetail).toContain('Cannot probe codec');
    expect(rows.filter((r) => r.seq !== 3).every(deliveredInTime)).toBe(true);
    // Not retried anywhere, and not a reason to move the session.
    const pushes = await pushesPerSeq(addresses(), session.livepeerStreamId);
    expect(pushes.get(3)).toBe(1);
    expect(rows.every((r) => lastBroadcaster(r) === rejecting)).toBe(true);
    const job = await ingest.queue.getJob(`${session.sessionId}-3`);
    expect(await job!.getState()).toBe('failed');
    expect(job!.attemptsMade).toBe(1);
    expect(await metricValue(worker.url, 'worker_segments_dropped_total', { reason: 'broadcaster-rejected' })).toBeGreaterThanOrEqual(1);
  });

  it('all broadcasters refuse for 5 s then recover: in-deadline segments are delivered, older ones dropped', async () => {
    // A shorter live deadline (2 x duration) on a second worker, so that a 5 s outage
    // outlives some segments' deadlines; the default worker is stopped meanwhile.
    const deadlineMs = 2 * SEGMENT_MS;
    await worker.proc.stop();
    const shortDeadline = await startWorker(env, network, { LIVE_DEADLINE_FACTOR: 2, UPLOAD_TIMEOUT_FACTOR: 1 }, 'worker-short-deadline');
    try {
      const session = await newSession();
      let refusedFrom = 0;
      let recoveredAt = 0;
      let recovery: Promise<void> | undefined;
      await ingest.stream(session, SEGMENTS, async (seq) => {
        if (seq !== 3) return;
        await Promise.all(addresses().map((b) => setFaults(b, { failNext: -1, failStatus: 503, failBody: 'No sessions available' })));
        refusedFrom = Date.now();
        recovery = new Promise((resolve) =>
          setTimeout(async () => {
            await Promise.all(addresses().map(clearFaults));
            recoveredAt = Date.now();
            resolve();
          }, 5000),
        );
      });
      await recovery;
      const rows = await ingest.settled(session.sessionId, SEGMENTS);

      const refused = rows.filter((r) => r.ingestedAt >= refusedFrom - 50 && r.ingestedAt < recoveredAt);
      expect(refused.length).toBeGreaterThanOrEqual(2);
      for (const row of rows) {
        const deadline = row.ingestedAt + deadlineMs;
        if (row.ingestedAt < refusedFrom) {
          expect(row.state).toBe('uploaded');
        } else if (deadline < recoveredAt) {
          // Its whole deadline fell inside the outage.
          expect(row).toMatchObject({ state: 'dropped', dropReason: 'deadline-exceeded' });
          expect(row.attempts).toBeGreaterThan(1);
        } else if (deadline > recoveredAt + 1000) {
          expect(row.state).toBe('uploaded');
          expect(row.uploadedAt! - row.ingestedAt).toBeLessThanOrEqual(deadlineMs);
        }
      }
      expect(rows.some((r) => r.state === 'dropped')).toBe(true);
      expect(rows.filter((r) => r.ingestedAt >= refusedFrom && r.state === 'uploaded').length).toBeGreaterThanOrEqual(1);
      expect(await metricValue(shortDeadline.url, 'worker_segments_dropped_total', { reason: 'deadline-exceeded' })).toBeGreaterThanOrEqual(1);
    } finally {
      await shortDeadline.proc.stop();
      worker = await startWorker(env, network);
    }
  });

  it('an object store outage is waited out, not blamed on the broadcaster; a missing object is dropped at once', async () => {
    const session = await newSession();
    const reassignmentsBefore = await metricValue(worker.url, 'worker_session_reassignments_total');
    await ingest.ingest(session, 0);
    await ingest.settled(session.sessionId, 1);
    const assigned = await current(session.sessionId);

    // Segments stored, then the object store goes away for 3 s (same port, same data after)
    // while their jobs arrive.
    for (let seq = 1; seq <= 3; seq++) await ingest.store(session, seq);
    const s3 = env.s3!;
    await s3.close();
    for (let seq = 1; seq <= 3; seq++) await ingest.enqueue(session, seq);
    await waitFor(() => worker.proc.tail(200).includes('cannot read the segment; retrying'), { what: 'the worker to meet the outage' });
    await sleep(3000);
    env.s3 = await startEmbeddedS3({ port: s3.port, directory: path.join(env.tmpDir, 's3') });
    // A job whose object was never stored (lost).
    await ingest.enqueue(session, 4);
    const rows = await ingest.settled(session.sessionId, 5);

    for (const row of rows.slice(0, 4)) {
      expect(deliveredInTime(row)).toBe(true);
      expect(row.broadcasters).toEqual([assigned]);
    }
    expect(rows[4]).toMatchObject({ state: 'dropped', dropReason: 'storage-unavailable', attempts: 0 });
    expect(rows[4].dropDetail).toContain('missing');
    expect(await current(session.sessionId)).toBe(assigned);
    expect(await metricValue(worker.url, 'worker_session_reassignments_total')).toBe(reassignmentsBefore);
    expect((await pushesPerSeq(addresses(), session.livepeerStreamId)).get(4)).toBeUndefined();
  });

  it('a broadcaster process killed mid-stream: every later segment goes to the survivor', async () => {
    const session = await newSession();
    let killed = '';
    let killedAtSeq = -1;
    await ingest.stream(session, SEGMENTS, async (seq) => {
      if (seq !== 4) return;
      killed = (await current(session.sessionId))!;
      killedAtSeq = seq;
      const victim = network.broadcasters.find((b) => b.address === killed)!;
      process.kill(victim.pid, 'SIGKILL');
    });
    const rows = await ingest.settled(session.sessionId, SEGMENTS);

    const survivor = addresses().find((a) => a !== killed)!;
    expect(rows.every(deliveredInTime)).toBe(true);
    for (const row of rows.slice(0, killedAtSeq)) expect(row.broadcasters).toEqual([killed]);
    // The first segment after the kill finds out (connection refused) and moves the session
    // (unless the API already stopped offering the dead one)...
    expect([[killed, survivor], [survivor]]).toContainEqual(rows[killedAtSeq].broadcasters);
    // ...and every later one goes straight to the survivor.
    for (const row of rows.slice(killedAtSeq + 1)) expect(row.broadcasters).toEqual([survivor]);
    await waitFor(async () => (await listBroadcasters(network.apiUrl)).join() === survivor, {
      timeoutMs: 5000,
      what: 'the killed broadcaster to leave /api/broadcaster',
    });
  });
});
