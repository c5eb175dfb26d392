/**
 * Several worker processes on one queue (livepeer-local in passthrough, real Redis, S3
 * server, database): exactly-once delivery, following another worker's reassignment, a
 * worker SIGKILLed mid-upload, SIGTERM draining, and a pinned broadcaster with multipart.
 */
import { Worker } from 'bullmq';
import { SEGMENT_UPLOAD_QUEUE, UPLOAD_WORKER_OPTIONS, bullConnection, type UploadJobResult, type UploadSegmentPayload } from '@lib/queue';
import { TEST_REDIS_URL, TestEnv, waitFor, type RunningApp } from '@lib/testing';
import { FakeIngest, WorkerTestBed, deliveredInTime, metricValue, pushesAt, pushesPerSeq, setFaults } from './support';

const SEGMENTS = 10;
/** Longer than the segment interval: consecutive segments overlap, so both workers get jobs. */
const SLOW_BROADCASTER_MS = 2500;

describe('worker processes sharing the upload queue', () => {
  let bed: WorkerTestBed;
  let env: TestEnv;
  let ingest: FakeIngest;
  const running: RunningApp[] = [];
  const addresses = () => bed.addresses();
  const newSession = () => bed.newSession();

  /**
   * The broadcasters here are slower than real time on purpose (so both workers hold jobs at
   * once); hedging (upload-job.medium-spec.ts covers it) would push each segment twice.
   */
  async function worker(label: string, extra: Record<string, string | number> = {}): Promise<RunningApp> {
    const app = await bed.startWorker({ WORKER_HEDGE_ROUND_TRIPS: 0, ...extra }, label);
    running.push(app);
    return app;
  }

  /** The worker that completed each segment's job (its result names the process). */
  async function resultsBySeq(sessionId: string): Promise<Map<number, UploadJobResult>> {
    const out = new Map<number, UploadJobResult>();
    for (let seq = 0; seq < SEGMENTS; seq++) {
      const job = await ingest.queue.getJob(`${sessionId}-${seq}`);
      if (job?.returnvalue) out.set(seq, job.returnvalue);
    }
    return out;
  }

  const pidOf = (app: RunningApp) => String(app.proc.pid);

  beforeAll(async () => {
    bed = await WorkerTestBed.create('worker-processes');
    ({ env, ingest } = bed);
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((w) => w.proc.stop()));
    await bed.clearFaults();
  });

  afterAll(() => bed?.close());

  it('two workers, no faults: every segment is PUT exactly once', async () => {
    const [w1, w2] = [await worker('worker-1', { WORKER_CONCURRENCY: 1 }), await worker('worker-2', { WORKER_CONCURRENCY: 1 })];
    await Promise.all(addresses().map((b) => setFaults(b, { delayMs: SLOW_BROADCASTER_MS })));
    const session = await newSession();
    await ingest.stream(session, SEGMENTS);
    const rows = await ingest.settled(session.sessionId, SEGMENTS);

    expect(rows.every(deliveredInTime)).toBe(true);
    expect(rows.every((r) => r.attempts === 1)).toBe(true);
    const pushes = await pushesPerSeq(addresses(), session.livepeerStreamId);
    expect([...pushes.entries()].sort(([a], [b]) => a - b)).toEqual(rows.map((r) => [r.seq, 1]));
    const workers = new Set([...(await resultsBySeq(session.sessionId)).values()].map((r) => r.worker.split(':').pop()));
    expect(workers).toEqual(new Set([pidOf(w1), pidOf(w2)]));
  });

  it('after one worker reassigns a session, the other follows it from its next segment', async () => {
    await worker('worker-1', { WORKER_CONCURRENCY: 1 });
    await worker('worker-2', { WORKER_CONCURRENCY: 1 });
    await Promise.all(addresses().map((b) => setFaults(b, { delayMs: SLOW_BROADCASTER_MS })));
    const session = await newSession();
    let failing = '';
    await ingest.stream(session, SEGMENTS, async (seq) => {
      if (seq !== 3) return;
      failing = (await ingest.ledger.get(session.sessionId, 0))!.broadcasters[0];
      await setFaults(failing, { failNext: 1, failStatus: 503, failBody: 'No sessions available' });
    });
    const rows = await ingest.settled(session.sessionId, SEGMENTS);
    const results = await resultsBySeq(session.sessionId);

    expect(rows.every(deliveredInTime)).toBe(true);
    const other = addresses().find((a) => a !== failing)!;
    const moved = rows.find((r) => r.attempts === 2)!;
    expect(moved.broadcasters).toEqual([failing, other]);
    const mover = results.get(moved.seq)!.worker;
    // Segments whose job started after the move went to the new broadcaster, whichever
    // worker ran them; at least one of them ran on the worker that did not move it.
    const after = rows.filter(
      (r) =>
        (results.get(r.seq) as Extract<UploadJobResult, { outcome: 'uploaded' }>).putStartedAt >
          (results.get(moved.seq) as Extract<UploadJobResult, { outcome: 'uploaded' }>).putStartedAt && r.seq > moved.seq + 1,
    );
    expect(after.length).toBeGreaterThanOrEqual(4);
    for (const row of after) expect(row.broadcasters).toEqual([other]);
    expect(after.some((r) => results.get(r.seq)!.worker !== mover)).toBe(true);
  });

  it('a worker killed with SIGKILL mid-upload: its segment is still delivered within the deadline', async () => {
    const victim = await worker('worker-victim', { WORKER_CONCURRENCY: 4 });
    await worker('worker-survivor', { WORKER_CONCURRENCY: 4 });
    await Promise.all(addresses().map((b) => setFaults(b, { delayMs: 1500 })));
    const session = await newSession();
    let killedSeq = -1;
    const killer = (async () => {
      // The first time the victim holds a job whose PUT a broadcaster has received (and is
      // still answering), kill it.
      await waitFor(
        async () => {
          for (const job of await ingest.queue.getActive()) {
            if (job.data.sessionId !== session.sessionId || !job.processedBy?.endsWith(`:${pidOf(victim)}`)) continue;
            const received = (await Promise.all(addresses().map((b) => pushesAt(b, session.livepeerStreamId)))).some(
              (p) => p[job.data.seq],
            );
            if (received) {
              victim.proc.kill('SIGKILL');
              killedSeq = job.data.seq;
              return true;
            }
          }
          return false;
        },
        { timeoutMs: 30_000, intervalMs: 50, what: 'the victim worker to be mid-upload' },
      );
    })();
    await ingest.stream(session, SEGMENTS);
    await killer;
    const rows = await ingest.settled(session.sessionId, SEGMENTS, 40_000);

    expect(killedSeq).toBeGreaterThanOrEqual(0);
    expect(rows.every(deliveredInTime)).toBe(true);
    const pushes = await pushesPerSeq(addresses(), session.livepeerStreamId);
    // The killed upload was pushed again by the survivor (a repeated seq is idempotent at
    // the broadcaster); no other segment was pushed twice.
    expect(pushes.get(killedSeq)).toBe(2);
    for (const [seq, n] of pushes) if (seq !== killedSeq) expect(n).toBe(1);
  });

  it('a job taken over after its worker died once the segment was delivered is not pushed again', async () => {
    const session = await newSession();
    // A "worker" that delivers (ledger uploaded) and dies before completing its job.
    const dying = new Worker<UploadSegmentPayload>(
      SEGMENT_UPLOAD_QUEUE,
      async (job) => {
        await ingest.ledger.markUploaded(job.data.sessionId, job.data.seq, { uploadMs: 1, roundTripMs: 1 });
        await new Promise(() => undefined);
      },
      { connection: bullConnection(TEST_REDIS_URL), prefix: env.id, name: 'dying', ...UPLOAD_WORKER_OPTIONS },
    );
    await ingest.ingest(session, 0);
    await waitFor(async () => (await ingest.ledger.get(session.sessionId, 0))?.state === 'uploaded', {
      what: 'the dying worker to deliver',
    });
    await dying.close(true); // its lock is no longer renewed: the job stalls
    const taker = await worker('worker-taker', {});

    const job = await waitFor(
      async () => {
        const id = `${session.sessionId}-0`;
        if ((await (await ingest.queue.getJob(id))?.getState()) !== 'completed') return false;
        // Read again once completed: a job read before it completed carries no return value yet.
        return ingest.queue.getJob(id);
      },
      { timeoutMs: 20_000, what: 'the stalled job to be taken over' },
    );
    expect(job!.returnvalue).toMatchObject({ outcome: 'skipped', state: 'uploaded', tried: [] });
    expect(job!.returnvalue.worker).toContain(`:${pidOf(taker)}`);
    expect(await pushesPerSeq(addresses(), session.livepeerStreamId)).toEqual(new Map());
    expect(await metricValue(taker.url, 'worker_jobs_skipped_total')).toBe(1);
    expect(await metricValue(taker.url, 'worker_segments_uploaded_total')).toBe(0);
  });

  it('SIGTERM: running uploads finish, unstarted jobs stay queued for another worker', async () => {
    const draining = await worker('worker-draining', { WORKER_CONCURRENCY: 2 });
    await Promise.all(addresses().map((b) => setFaults(b, { delayMs: 1500 })));
    const session = await newSession();
    // Six segments at once (a burst), so four wait while two upload.
    for (let seq = 0; seq < 6; seq++) await ingest.ingest(session, seq);
    await waitFor(async () => (await ingest.queue.getActiveCount()) === 2, { what: 'two running uploads' });
    await draining.proc.stop(15_000);
    // Nest re-raises the signal once its shutdown hooks are done; the drain finished first.
    expect(draining.proc.tail(500)).toContain('upload worker closed');
    expect((await draining.proc.exited).signal ?? 'exit 0').toMatch(/SIGTERM|exit 0/);

    const rows = await ingest.ledger.list(session.sessionId);
    expect(rows.filter((r) => r.state === 'uploaded')).toHaveLength(2);
    expect(rows.filter((r) => r.state === 'queued')).toHaveLength(4);
    expect(await ingest.queue.getWaitingCount()).toBe(4);

    await worker('worker-next', {});
    const settled = await ingest.settled(session.sessionId, 6);
    expect(settled.every((r) => r.state === 'uploaded' && r.attempts === 1)).toBe(true);
  });

  it('LIVEPEER_BROADCASTER_URL pins one broadcaster; WORKER_MULTIPART reads the renditions back', async () => {
    const pinned = addresses()[1];
    await worker('worker-pinned', { LIVEPEER_BROADCASTER_URL: pinned, WORKER_MULTIPART: 'true' });
    const session = await newSession();
    for (let seq = 0; seq < 4; seq++) await ingest.ingest(session, seq);
    const rows = await ingest.settled(session.sessionId, 4);
    expect(rows.every((r) => r.state === 'uploaded' && r.broadcasters.join() === pinned)).toBe(true);
    expect(Object.keys(await pushesAt(addresses()[0], session.livepeerStreamId))).toHaveLength(0);
  });
});
