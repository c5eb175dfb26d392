/**
 * The worker's upload job in process: the real processor and runner on a real BullMQ queue
 * (own Redis prefix), PostgreSQL ledger and S3 server, pushing to small in-process
 * broadcasters with injected faults. Deadlines are driven by the upload job's clock (moved
 * by the test where a case needs time to pass), so each case takes milliseconds, not a live
 * stream's seconds.
 */
import type { Job } from 'bullmq';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { UPLOAD_SEGMENT_JOB, redisKeys, type UploadJobResult, type UploadSegmentPayload } from '@lib/queue';
import { startEmbeddedS3 } from '@lib/runtime';
import { TEST_REDIS_URL, TestEnv, waitFor } from '@lib/testing';
import { UploadJobRunner } from '../src/upload/upload-job.runner';
import { InProcessWorker, StubBroadcaster, StubLivepeerApi } from './in-process-worker';
import { FakeIngest, SEGMENT_MS } from './support';

describe('upload job (in process, real stores, stub broadcasters)', () => {
  let env: TestEnv;
  let api: StubLivepeerApi;
  let b1: StubBroadcaster;
  let b2: StubBroadcaster;
  let worker: InProcessWorker;
  let ingest: FakeIngest;
  let redis: Redis;
  const keys = () => redisKeys(env.id);

  beforeAll(async () => {
    env = await TestEnv.create({ name: 'worker-medium' });
    api = await StubLivepeerApi.start();
    [b1, b2] = [await StubBroadcaster.start(), await StubBroadcaster.start()];
    api.broadcasters = [b1.address, b2.address].sort();
    ingest = await FakeIngest.create(env);
    worker = await InProcessWorker.start(env, api);
    redis = new Redis(TEST_REDIS_URL);
  });

  afterEach(async () => {
    worker.clock.reset();
    b1.fail([], 'ok');
    b2.fail([], 'ok');
    // Cool-downs, failing marks and failure streaks are shared by every session: each case starts with healthy broadcasters.
    await redis.del(
      keys().broadcasterCooldown(b1.address),
      keys().broadcasterCooldown(b2.address),
      keys().broadcastersFailing(),
      keys().broadcasterStats(b1.address),
      keys().broadcasterStats(b2.address),
    );
  });

  afterAll(async () => {
    await worker?.close();
    await ingest?.close();
    await Promise.all([api?.close(), b1?.close(), b2?.close()]);
    redis?.disconnect();
    await env?.cleanup();
  });

  const session = () => ({ sessionId: randomUUID(), livepeerStreamId: `lp-${randomUUID().slice(0, 8)}` });
  const byAddress = (address: string) => [b1, b2].find((b) => b.address === address)!;
  const current = (sessionId: string) => redis.get(keys().sessionBroadcaster(sessionId));
  const resultOf = async (sessionId: string, seq: number) => {
    const { job, state } = await ingest.finishedJob(sessionId, seq);
    return { job, state, result: job.returnvalue as UploadJobResult };
  };

  /** Delivers seq 0 so the session has a broadcaster; returns it. */
  async function assigned(s: { sessionId: string; livepeerStreamId: string }): Promise<string> {
    await ingest.ingest(s, 0);
    expect((await resultOf(s.sessionId, 0)).result).toMatchObject({ outcome: 'uploaded' });
    return (await current(s.sessionId))!;
  }

  it('delivers a segment: ledger uploaded, result with the timings, stats and metrics', async () => {
    const s = session();
    const uploadedBefore = await worker.metric('worker_segments_uploaded_total');
    await ingest.ingest(s, 0);
    const { state, result, job } = await resultOf(s.sessionId, 0);

    expect(state).toBe('completed');
    expect(result).toMatchObject({ outcome: 'uploaded', tried: [result.outcome === 'uploaded' && result.broadcaster] });
    if (result.outcome !== 'uploaded') throw new Error('not uploaded');
    expect(result.worker).toContain(`:${process.pid}`);
    expect(result.roundTripMs).toBeGreaterThanOrEqual(0);
    expect(result.putStartedAt).toBeGreaterThanOrEqual(job.timestamp);
    expect(Object.keys(result.phases!).sort()).toEqual(['ledger', 'prepare', 'push', 'record']);
    const row = (await ingest.ledger.get(s.sessionId, 0))!;
    expect(row).toMatchObject({ state: 'uploaded', attempts: 1, broadcasters: [result.broadcaster] });
    expect(byAddress(result.broadcaster).pushes(s.livepeerStreamId, 0)).toBe(1);
    expect(Number((await redis.hgetall(keys().broadcasterStats(result.broadcaster))).successes)).toBeGreaterThanOrEqual(1);
    expect(await worker.metric('worker_segments_uploaded_total')).toBe(uploadedBefore + 1);
    expect(await worker.metric('worker_segment_round_trip_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(await worker.metric('worker_segment_realtime_ratio_count')).toBeGreaterThanOrEqual(1);
  });

  it.each([
    ['503', 'status'],
    ['reset', 'network'],
  ] as const)(
    'a broadcaster answering %s: the segment lands on the other one, the session moves, the failed one cools down',
    async (fault, kind) => {
      const s = session();
      const first = await assigned(s);
      const other = [b1, b2].find((b) => b.address !== first)!;
      const reassignmentsBefore = await worker.metric('worker_session_reassignments_total', { reason: 'push-failed' });
      byAddress(first).fail([fault]);
      await ingest.ingest(s, 1);
      const { result, state } = await resultOf(s.sessionId, 1);

      expect(state).toBe('completed');
      expect(result).toMatchObject({ outcome: 'uploaded', broadcaster: other.address, tried: [first, other.address] });
      expect(await ingest.ledger.get(s.sessionId, 1)).toMatchObject({
        state: 'uploaded',
        attempts: 2,
        broadcasters: [first, other.address],
      });
      expect(await current(s.sessionId)).toBe(other.address);
      expect(byAddress(first).pushes(s.livepeerStreamId, 1)).toBe(1);
      expect(other.pushes(s.livepeerStreamId, 1)).toBe(1);
      expect(await worker.metric('worker_session_reassignments_total', { reason: 'push-failed' })).toBe(reassignmentsBefore + 1);
      expect(await worker.metric('worker_upload_attempts_total', { broadcaster: first, outcome: kind })).toBeGreaterThanOrEqual(1);
      // Banned for this session, cooled down for every session, its failure in the stats.
      expect(await redis.zscore(keys().sessionBadBroadcasters(s.sessionId), first)).not.toBeNull();
      expect(await redis.exists(keys().broadcasterCooldown(first))).toBe(1);
      expect(Number((await redis.hgetall(keys().broadcasterStats(first))).failures)).toBeGreaterThanOrEqual(1);

      // The next segment goes straight to the new broadcaster; so does a new session (cool-down).
      await ingest.ingest(s, 2);
      expect((await resultOf(s.sessionId, 2)).result).toMatchObject({ tried: [other.address] });
      const fresh = session();
      await ingest.ingest(fresh, 0);
      expect((await resultOf(fresh.sessionId, 0)).result).toMatchObject({ tried: [other.address] });
    },
  );

  it('a broadcaster that hangs: the late push is hedged to the other one, which answers first; the session moves', async () => {
    const s = session();
    const first = await assigned(s);
    const other = [b1, b2].find((b) => b.address !== first)!;
    const wonBefore = await worker.metric('worker_push_hedges_total', { outcome: 'won' });
    byAddress(first).fail(['hang']);
    // 2 s segment: read timeout 4 s, hedge at most 0.5 s (a quarter of the duration) after the push began.
    await ingest.ingest(s, 1);
    const { result } = await resultOf(s.sessionId, 1);

    expect(result).toMatchObject({ outcome: 'uploaded', broadcaster: other.address, tried: [first, other.address] });
    expect(await ingest.ledger.get(s.sessionId, 1)).toMatchObject({ state: 'uploaded', broadcasters: [first, other.address] });
    const row = (await ingest.ledger.get(s.sessionId, 1))!;
    // Delivered before the hung push's read timeout could have ended it.
    expect(row.uploadedAt! - row.ingestedAt).toBeLessThan(2 * SEGMENT_MS);
    expect(await worker.metric('worker_push_hedges_total', { outcome: 'won' })).toBe(wonBefore + 1);
    expect(await current(s.sessionId)).toBe(other.address);
    // Late is not failed: the session alone leaves the broadcaster, which no one else avoids.
    expect(await redis.zscore(keys().sessionBadBroadcasters(s.sessionId), first)).not.toBeNull();
    expect(await redis.get(keys().broadcasterCooldown(first))).toBeNull();
    expect(byAddress(first).pushes(s.livepeerStreamId, 1)).toBe(1);
    expect(other.pushes(s.livepeerStreamId, 1)).toBe(1);
    // The next segment goes straight to the new broadcaster.
    await ingest.ingest(s, 2);
    expect((await resultOf(s.sessionId, 2)).result).toMatchObject({ tried: [other.address] });
  });

  it("does not hedge a session's first push to a broadcaster (its set-up there) for being slower than usual", async () => {
    const hedges = async () =>
      (
        await Promise.all(
          ['won', 'lost', 'both-failed', 'nowhere', 'over-budget'].map((outcome) => worker.metric('worker_push_hedges_total', { outcome })),
        )
      ).reduce((a, b) => a + b, 0);
    const before = await hedges();
    for (const b of [b1, b2]) b.fail(['slow']);
    const s = session();
    await ingest.ingest(s, 0);
    const { result } = await resultOf(s.sessionId, 0);
    expect(result).toMatchObject({ outcome: 'uploaded' });
    expect((result as { tried: string[] }).tried).toHaveLength(1);
    expect(await hedges()).toBe(before);
    expect(b1.pushes(s.livepeerStreamId, 0) + b2.pushes(s.livepeerStreamId, 0)).toBe(1);
  });

  it('a 400 (about the request) is not retried: dropped as broadcaster-rejected, the job completes with the drop', async () => {
    const s = session();
    const first = await assigned(s);
    const droppedBefore = await worker.metric('worker_segments_dropped_total', { reason: 'broadcaster-rejected' });
    byAddress(first).fail(['400']);
    await ingest.ingest(s, 1);
    const { job, state, result } = await resultOf(s.sessionId, 1);

    expect(state).toBe('completed');
    expect(job.attemptsMade).toBe(1);
    expect(result).toMatchObject({ outcome: 'dropped', reason: 'broadcaster-rejected', tried: [first] });
    const row = (await ingest.ledger.get(s.sessionId, 1))!;
    expect(row).toMatchObject({ state: 'dropped', dropReason: 'broadcaster-rejected', attempts: 1, broadcasters: [first] });
    expect(row.dropDetail).toContain('400');
    // Not retried anywhere, and not a reason to move the session.
    expect([b1, b2].reduce((n, b) => n + b.pushes(s.livepeerStreamId, 1), 0)).toBe(1);
    expect(await current(s.sessionId)).toBe(first);
    expect(await worker.metric('worker_segments_dropped_total', { reason: 'broadcaster-rejected' })).toBe(droppedBefore + 1);
  });

  it('a 404 (the broadcaster does not know the stream) moves the session like a 5xx', async () => {
    const s = session();
    const first = await assigned(s);
    const other = [b1, b2].find((b) => b.address !== first)!;
    byAddress(first).fail(['404']);
    await ingest.ingest(s, 1);
    const { result } = await resultOf(s.sessionId, 1);

    expect(result).toMatchObject({ outcome: 'uploaded', broadcaster: other.address, tried: [first, other.address] });
    expect(await ingest.ledger.get(s.sessionId, 1)).toMatchObject({ state: 'uploaded', broadcasters: [first, other.address] });
    expect(await current(s.sessionId)).toBe(other.address);
    expect(await redis.exists(keys().broadcasterCooldown(first))).toBe(1);
  });

  it('a 422 is tried once on one other broadcaster without moving the session, and delivered there', async () => {
    const s = session();
    const first = await assigned(s);
    const other = [b1, b2].find((b) => b.address !== first)!;
    byAddress(first).fail(['422']);
    await ingest.ingest(s, 1);
    const { result } = await resultOf(s.sessionId, 1);

    expect(result).toMatchObject({ outcome: 'uploaded', broadcaster: other.address, tried: [first, other.address] });
    expect(await ingest.ledger.get(s.sessionId, 1)).toMatchObject({ state: 'uploaded', broadcasters: [first, other.address] });
    // A refusal of the segment says nothing about the broadcaster's health.
    expect(await current(s.sessionId)).toBe(first);
    expect(await redis.exists(keys().broadcasterCooldown(first))).toBe(0);
    expect(await redis.zscore(keys().sessionBadBroadcasters(s.sessionId), first)).toBeNull();
  });

  it('a 422 from the other broadcaster too: dropped as broadcaster-rejected after two pushes', async () => {
    const s = session();
    const first = await assigned(s);
    const other = [b1, b2].find((b) => b.address !== first)!;
    const droppedBefore = await worker.metric('worker_segments_dropped_total', { reason: 'broadcaster-rejected' });
    byAddress(first).fail(['422']);
    other.fail(['422']);
    await ingest.ingest(s, 1);
    const { state, result } = await resultOf(s.sessionId, 1);

    expect(state).toBe('completed');
    expect(result).toMatchObject({ outcome: 'dropped', reason: 'broadcaster-rejected', tried: [first, other.address] });
    const row = (await ingest.ledger.get(s.sessionId, 1))!;
    expect(row).toMatchObject({ state: 'dropped', dropReason: 'broadcaster-rejected', attempts: 2 });
    expect(row.dropDetail).toContain('422');
    expect(row.dropDetail).toContain('Cannot probe codec');
    expect(byAddress(first).pushes(s.livepeerStreamId, 1)).toBe(1);
    expect(other.pushes(s.livepeerStreamId, 1)).toBe(1);
    expect(await current(s.sessionId)).toBe(first);
    expect(await worker.metric('worker_segments_dropped_total', { reason: 'broadcaster-rejected' })).toBe(droppedBefore + 1);
  });

  it('every broadcaster refusing: retried until the live deadline, then dropped as deadline-exceeded', async () => {
    const s = session();
    await assigned(s);
    b1.fail([], '503');
    b2.fail([], '503');
    const droppedBefore = await worker.metric('worker_segments_dropped_total', { reason: 'deadline-exceeded' });
    await ingest.ingest(s, 1);
    await waitFor(async () => ((await ingest.ledger.get(s.sessionId, 1))?.attempts ?? 0) >= 3, {
      intervalMs: 10,
      what: 'three refused pushes',
    });
    // The live deadline (5 x 2 s after ingest) passes.
    worker.clock.advance(5 * SEGMENT_MS);
    const { state, result } = await resultOf(s.sessionId, 1);

    expect(state).toBe('completed');
    expect(result).toMatchObject({ outcome: 'dropped', reason: 'deadline-exceeded' });
    const row = (await ingest.ledger.get(s.sessionId, 1))!;
    expect(row).toMatchObject({ state: 'dropped', dropReason: 'deadline-exceeded' });
    expect(row.attempts).toBeGreaterThan(1);
    expect(result.tried.length).toBe(row.attempts);
    expect(row.dropDetail).toMatch(
      /^not delivered within 10000 ms of ingest after \d+ attempt\(s\); last: HTTP 503: No sessions available$/,
    );
    expect(await worker.metric('worker_segments_dropped_total', { reason: 'deadline-exceeded' })).toBe(droppedBefore + 1);

    // The broadcasters recover: the next segment, inside its deadline, is delivered, and the
    // broadcaster that took it is no longer avoided.
    b1.fail([], 'ok');
    b2.fail([], 'ok');
    await ingest.ingest(s, 2, { ingestedAt: worker.clock.now() });
    const recovered = await resultOf(s.sessionId, 2);
    expect(recovered.result).toMatchObject({ outcome: 'uploaded' });
    if (recovered.result.outcome !== 'uploaded') throw new Error('not uploaded');
    expect(await ingest.ledger.get(s.sessionId, 2)).toMatchObject({ state: 'uploaded' });
    expect(await redis.exists(keys().broadcasterCooldown(recovered.result.broadcaster))).toBe(0);
  });

  it('an object store outage is waited out, not blamed on the broadcaster', async () => {
    const s = session();
    const first = await assigned(s);
    const reassignmentsBefore = await worker.metric('worker_session_reassignments_total');
    await ingest.store(s, 1);
    const s3 = env.s3!;
    await s3.close();
    await ingest.enqueue(s, 1);
    // Proof the worker met the outage: the job is running and has not pushed.
    await waitFor(async () => (await ingest.queue.getActiveCount()) === 1, { intervalMs: 10, what: 'the job to start' });
    env.s3 = await startEmbeddedS3({ port: s3.port, directory: path.join(env.tmpDir, 's3') });
    const { result } = await resultOf(s.sessionId, 1);

    expect(result).toMatchObject({ outcome: 'uploaded', tried: [first] });
    expect(await ingest.ledger.get(s.sessionId, 1)).toMatchObject({ state: 'uploaded', broadcasters: [first] });
    expect(await current(s.sessionId)).toBe(first);
    expect(await worker.metric('worker_session_reassignments_total')).toBe(reassignmentsBefore);
    expect(await redis.exists(keys().broadcasterCooldown(first))).toBe(0);
  });

  it('a segment that reaches the worker past its deadline is dropped without a push', async () => {
    const s = session();
    await ingest.ingest(s, 0, { ingestedAt: Date.now() - 6 * SEGMENT_MS });
    const { result } = await resultOf(s.sessionId, 0);
    expect(result).toMatchObject({ outcome: 'dropped', reason: 'deadline-exceeded', tried: [] });
    expect((await ingest.ledger.get(s.sessionId, 0))!.dropDetail).toMatch(
      /^reached a worker \d+ ms after ingest, past its 10000 ms deadline$/,
    );
    expect(b1.pushes(s.livepeerStreamId, 0) + b2.pushes(s.livepeerStreamId, 0)).toBe(0);
  });

  it('a missing object is dropped at once as storage-unavailable, blaming no broadcaster', async () => {
    const s = session();
    const first = await assigned(s);
    const reassignmentsBefore = await worker.metric('worker_session_reassignments_total');
    await ingest.enqueue(s, 1); // never stored
    const { result } = await resultOf(s.sessionId, 1);
    expect(result).toMatchObject({ outcome: 'dropped', reason: 'storage-unavailable', tried: [] });
    const row = (await ingest.ledger.get(s.sessionId, 1))!;
    expect(row).toMatchObject({ state: 'dropped', dropReason: 'storage-unavailable', attempts: 0 });
    expect(row.dropDetail).toContain('missing');
    expect(await current(s.sessionId)).toBe(first);
    expect(await worker.metric('worker_session_reassignments_total')).toBe(reassignmentsBefore);
    expect(b1.pushes(s.livepeerStreamId, 1) + b2.pushes(s.livepeerStreamId, 1)).toBe(0);
  });

  it('a rerun of a job whose segment is already settled is skipped without a push', async () => {
    const s = session();
    const payload = await ingest.ingest(s, 0);
    await resultOf(s.sessionId, 0);
    const pushed = b1.pushes(s.livepeerStreamId, 0) + b2.pushes(s.livepeerStreamId, 0);
    const skippedBefore = await worker.metric('worker_jobs_skipped_total');
    const uploadedBefore = await worker.metric('worker_segments_uploaded_total');
    // The same job as BullMQ hands it to a worker after another one died on it.
    const rerun = {
      id: 'rerun',
      name: UPLOAD_SEGMENT_JOB,
      data: payload,
      timestamp: Date.now(),
      attemptsStarted: 2,
      attemptsMade: 0,
      stalledCounter: 1,
    };
    const result = await worker.get(UploadJobRunner).run(rerun as unknown as Job<UploadSegmentPayload>);

    expect(result).toMatchObject({ outcome: 'skipped', state: 'uploaded', tried: [] });
    expect(b1.pushes(s.livepeerStreamId, 0) + b2.pushes(s.livepeerStreamId, 0)).toBe(pushed);
    expect(await worker.metric('worker_jobs_skipped_total')).toBe(skippedBefore + 1);
    expect(await worker.metric('worker_segments_uploaded_total')).toBe(uploadedBefore);
  });

  it('an invalid payload is a real failure: the job fails for good, naming the field, and nothing is pushed', async () => {
    const s = session();
    const bad = { ...ingest.payload(s, 0), seq: 'zero', resolution: '640' } as unknown as UploadSegmentPayload;
    await ingest.queue.add(UPLOAD_SEGMENT_JOB, bad, { attempts: 3, jobId: `${s.sessionId}-0` });
    const { job, state } = await resultOf(s.sessionId, 0);

    expect(state).toBe('failed');
    expect(job.attemptsStarted).toBe(1);
    expect(job.failedReason).toMatch(/^invalid upload job payload: /);
    expect(job.failedReason).toContain('seq');
    expect(job.failedReason).toContain('resolution: must be WIDTHxHEIGHT');
    expect(b1.pushes(s.livepeerStreamId, 0) + b2.pushes(s.livepeerStreamId, 0)).toBe(0);
  });
});
