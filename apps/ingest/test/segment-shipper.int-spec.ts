import { Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { databaseConfig, redisConfig, s3Config } from '@lib/config';
import { LedgerService, SegmentEntity, openDataSource } from '@lib/database';
import { MetricsService } from '@lib/observability';
import { SEGMENT_UPLOAD_QUEUE, UploadSegmentPayload, uploadJobId } from '@lib/queue';
import { freePort, startEmbeddedS3, startRedisServer } from '@lib/runtime';
import { StorageService, objectKeys } from '@lib/storage';
import { TestEnv, waitFor } from '@lib/testing';
import { IngestMetrics } from '../src/ingest-metrics';
import { LivepeerGate } from '../src/segments/livepeer-gate';
import { SegmentBacklog } from '../src/segments/segment-backlog';
import { ClosedSegment, SegmentShipper, ShipperDeps } from '../src/segments/segment-shipper';
import { UploadProducer } from '../src/segments/upload-producer.service';
import { uploadQueueOptions } from '../src/segments/upload-queue.module';

/**
 * The segment pipeline against the real object store, database and Redis: order is kept
 * through an outage, the bounded buffer drops the oldest with the ledger's reason, and a
 * segment whose Livepeer stream never comes is dropped at its live deadline.
 */
describe('SegmentShipper (real S3, database and Redis)', () => {
  let env: TestEnv;
  let ds: DataSource;
  let ledger: LedgerService;
  let storage: StorageService;
  let producer: UploadProducer;
  let producerQueue: Queue<UploadSegmentPayload>;
  let queue: Queue<UploadSegmentPayload>;
  let metrics: IngestMetrics;
  const logger = new Logger('shipper-test');
  let n = 0;

  beforeAll(async () => {
    env = await TestEnv.create({ name: 'shipper', database: 'sqlite' });
    ds = await openDataSource(databaseConfig.load(env.vars()));
    ledger = new LedgerService(ds.getRepository(SegmentEntity));
    storage = new StorageService(s3Config.load(env.vars()));
    await storage.ensureBucket();
    producerQueue = new Queue(SEGMENT_UPLOAD_QUEUE, uploadQueueOptions(redisConfig.load(env.vars())));
    producer = new UploadProducer(producerQueue);
    queue = new Queue(SEGMENT_UPLOAD_QUEUE, { connection: { url: env.vars().REDIS_URL }, prefix: env.id });
    metrics = new IngestMetrics(new MetricsService('ingest-test'));
  });

  afterAll(async () => {
    await producerQueue?.close();
    await queue?.close();
    await ds?.destroy();
    await env?.cleanup();
  });

  function deps(overrides: Partial<ShipperDeps> = {}): ShipperDeps {
    return { storage, ledger, producer, metrics, backlog: new SegmentBacklog(100), liveDeadlineFactor: 5, ...overrides };
  }

  async function segments(count: number, durationMs = 2000): Promise<ClosedSegment[]> {
    const dir = path.join(env.tmpDir, `segments-${n++}`);
    await mkdir(dir, { recursive: true });
    return Promise.all(
      Array.from({ length: count }, async (_, seq) => {
        const file = path.join(dir, `${seq}.ts`);
        const body = randomBytes(1000 + seq);
        await writeFile(file, body);
        return {
          seq,
          file,
          durationMs,
          bytes: body.length,
          resolution: '320x180',
          closedAt: Date.now(),
          startedAt: 1_796_000_000_000 + seq * durationMs,
        };
      }),
    );
  }

  function session(gate = new LivepeerGate()) {
    return { sessionId: `s-${n++}-${randomBytes(4).toString('hex')}`, streamId: 'stream-1', protocol: 'rtmp' as const, gate };
  }

  async function restartS3(downMs: number): Promise<void> {
    const { port } = env.s3!;
    await env.s3!.close();
    await new Promise((r) => setTimeout(r, downMs));
    env.s3 = await startEmbeddedS3({ port, directory: path.join(env.tmpDir, 's3') });
  }

  it('stores, records and enqueues every segment in order with the contract payload', async () => {
    const gate = new LivepeerGate();
    const ref = session(gate);
    const shipper = new SegmentShipper(ref, deps(), logger);
    const cut = await segments(4);
    for (const s of cut) shipper.submit(s);
    gate.open('lp-stream');
    await shipper.drain();

    const rows = await ledger.list(ref.sessionId);
    expect(rows.map((r) => [r.seq, r.state])).toEqual([0, 1, 2, 3].map((seq) => [seq, 'queued']));
    expect(rows.map((r) => r.startedAt)).toEqual(cut.map((s) => s.startedAt));
    for (const s of cut) {
      const key = objectKeys.sourceSegment(ref.sessionId, s.seq);
      expect((await storage.stat(key))?.size).toBe(s.bytes);
      const job = await queue.getJob(uploadJobId(ref.sessionId, s.seq));
      expect(job?.data).toEqual({
        sessionId: ref.sessionId,
        streamId: 'stream-1',
        livepeerStreamId: 'lp-stream',
        seq: s.seq,
        objectKey: key,
        durationMs: 2000,
        resolution: '320x180',
        bytes: s.bytes,
        ingestedAt: s.closedAt,
      });
      expect(existsSync(s.file)).toBe(false);
    }
  });

  it('keeps segments on disk while the object store is down and sends them in order when it is back', async () => {
    const gate = new LivepeerGate();
    gate.open('lp-stream');
    const ref = session(gate);
    const shipper = new SegmentShipper(ref, deps(), logger);
    const cut = await segments(5);
    const outage = restartS3(2500);
    await new Promise((r) => setTimeout(r, 200));
    for (const s of cut) shipper.submit(s);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await ledger.list(ref.sessionId)).toHaveLength(0);
    expect(cut.every((s) => existsSync(s.file))).toBe(true);
    await outage;
    await shipper.drain();
    const rows = await ledger.list(ref.sessionId);
    expect(rows.map((r) => r.state)).toEqual(Array(5).fill('queued'));
    // queuedAt follows sequence order: nothing overtook the segment being retried
    const queuedAt = rows.map((r) => r.queuedAt!);
    expect([...queuedAt].sort((a, b) => a - b)).toEqual(queuedAt);
  });

  it('drops the oldest segments with storage-unavailable once the buffer is full, and records them', async () => {
    const gate = new LivepeerGate();
    gate.open('lp-stream');
    const ref = session(gate);
    const backlog = new SegmentBacklog(2);
    const shipper = new SegmentShipper(ref, deps({ backlog }), logger);
    const cut = await segments(6);
    const outage = restartS3(3000);
    await new Promise((r) => setTimeout(r, 200));
    for (const s of cut) shipper.submit(s);
    await outage;
    await shipper.drain();
    const rows = await ledger.list(ref.sessionId);
    expect(rows.map((r) => r.seq)).toEqual([0, 1, 2, 3, 4, 5]);
    const dropped = rows.filter((r) => r.state === 'dropped');
    expect(dropped.map((r) => r.seq)).toEqual([0, 1, 2, 3]);
    for (const r of dropped) {
      expect(r.dropReason).toBe('storage-unavailable');
      expect(r.dropDetail).toMatch(/object store unreachable and the local buffer is full/);
      expect(await storage.stat(r.objectKey)).toBeNull();
    }
    expect(rows.filter((r) => r.state === 'queued').map((r) => r.seq)).toEqual([4, 5]);
    expect(backlog.size).toBe(0);
    expect(await ledger.counts(ref.sessionId)).toEqual({
      total: 6,
      byState: { dropped: 4, queued: 2 },
      dropReasons: { 'storage-unavailable': 4 },
    });
  });

  it('enqueues a segment waiting for Redis as soon as Redis is back, not at the end of its pause', async () => {
    const port = await freePort();
    const dataDir = path.join(env.tmpDir, `redis-${n++}`);
    let redis = await startRedisServer({ port, dataDir });
    const ownQueue = new Queue<UploadSegmentPayload>(
      SEGMENT_UPLOAD_QUEUE,
      uploadQueueOptions({ url: `redis://127.0.0.1:${port}`, prefix: env.id }),
    );
    const ownProducer = new UploadProducer(ownQueue);
    let attempts = 0;
    const counting = {
      enqueue: (payload: UploadSegmentPayload) => (attempts++, ownProducer.enqueue(payload)),
      onReconnect: (wake: () => void) => ownProducer.onReconnect(wake),
    };
    try {
      await ownQueue.waitUntilReady();
      await redis.stop();
      const gate = new LivepeerGate();
      gate.open('lp-stream');
      const ref = session(gate);
      // A pause far longer than the test: only the reconnect can end it.
      const shipper = new SegmentShipper(ref, deps({ producer: counting, retry: { initialMs: 600_000, maxMs: 600_000 } }), logger);
      const [segment] = await segments(1);
      shipper.submit(segment);
      await waitFor(() => attempts >= 1, { what: 'a failed enqueue while Redis is down', timeoutMs: 10_000 });
      redis = await startRedisServer({ port, dataDir });
      await waitFor(async () => (await ledger.get(ref.sessionId, 0))?.state === 'queued', {
        what: 'the segment queued after Redis came back',
        timeoutMs: 20_000,
      });
      expect(attempts).toBe(2);
      await shipper.drain();
    } finally {
      await ownQueue.close();
      await redis.stop();
    }
  });

  it('drops segments with queue-unavailable when Redis cannot take them and the buffer is full', async () => {
    const closedPort = await freePort();
    const deadQueue = new Queue<UploadSegmentPayload>(
      SEGMENT_UPLOAD_QUEUE,
      uploadQueueOptions({ url: `redis://127.0.0.1:${closedPort}`, prefix: env.id }),
    );
    const deadProducer = new UploadProducer(deadQueue);
    try {
      const gate = new LivepeerGate();
      gate.open('lp-stream');
      const ref = session(gate);
      const shipper = new SegmentShipper(ref, deps({ producer: deadProducer, backlog: new SegmentBacklog(1) }), logger);
      const cut = await segments(3);
      for (const s of cut) shipper.submit(s);
      await waitFor(async () => (await ledger.counts(ref.sessionId)).byState.dropped === 2, { what: 'two drops', timeoutMs: 20_000 });
      shipper.abort('test over');
      await shipper.drain();
      const rows = await ledger.list(ref.sessionId);
      expect(rows.map((r) => [r.seq, r.state, r.dropReason])).toEqual([
        [0, 'dropped', 'queue-unavailable'],
        [1, 'dropped', 'queue-unavailable'],
        [2, 'dropped', 'queue-unavailable'],
      ]);
      expect(rows[2].dropDetail).toBe('test over');
      // they did reach the object store: only the queue was missing
      for (const r of rows) expect(await storage.stat(r.objectKey)).not.toBeNull();
    } finally {
      await deadQueue.close().catch(() => undefined);
    }
  });

  it('drops segments whose Livepeer stream does not exist by their live deadline, and enqueues later ones', async () => {
    const gate = new LivepeerGate();
    const ref = session(gate);
    const shipper = new SegmentShipper(ref, deps({ liveDeadlineFactor: 1 }), logger);
    const early = await segments(2, 300);
    for (const s of early) shipper.submit({ ...s, closedAt: Date.now() });
    await waitFor(async () => (await ledger.counts(ref.sessionId)).byState.dropped === 2, { what: 'deadline drops', timeoutMs: 10_000 });
    gate.open('late-stream');
    const late = await segments(3, 300);
    for (const s of late.slice(2)) shipper.submit({ ...s, closedAt: Date.now() });
    await shipper.drain();
    const rows = await ledger.list(ref.sessionId);
    expect(rows.map((r) => [r.seq, r.state, r.dropReason])).toEqual([
      [0, 'dropped', 'no-livepeer-stream'],
      [1, 'dropped', 'no-livepeer-stream'],
      [2, 'queued', null],
    ]);
    expect(rows[0].dropDetail).toBe('the Livepeer stream did not exist before the live deadline');
    expect((await queue.getJob(uploadJobId(ref.sessionId, 2)))?.data.livepeerStreamId).toBe('late-stream');
  });
});
