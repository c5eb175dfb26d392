/**
 * The renditions of the push answer (WORKER_MULTIPART, on by default), in process against real
 * Redis, PostgreSQL and the S3 server, with stub broadcasters answering real multipart/mixed
 * bodies: parts stored under their object keys, the ledger's renditions column, the
 * segment-transcoded announcement, positional names, renditions given as URLs, and the
 * stitcher's repush of a segment whose renditions did not arrive.
 */
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { databaseRepositories } from '@lib/database';
import {
  UPLOAD_JOB_OPTIONS,
  UPLOAD_SEGMENT_JOB,
  parseSegmentTranscoded,
  redisKeys,
  repushJobId,
  type SegmentTranscodedEvent,
  type UploadJobResult,
  type UploadSegmentPayload,
} from '@lib/queue';
import { startEmbeddedS3 } from '@lib/runtime';
import { objectKeys } from '@lib/storage';
import { TEST_REDIS_URL, TestEnv, taggedSegment, waitFor } from '@lib/testing';
import { InProcessWorker, StubBroadcaster, StubFileServer, StubLivepeerApi, type StubPart } from './in-process-worker';
import { FakeIngest, SEGMENT_MS } from './support';

type Session = { sessionId: string; livepeerStreamId: string };

describe('push answer renditions (in process, real stores, stub broadcasters)', () => {
  let env: TestEnv;
  let api: StubLivepeerApi;
  let b1: StubBroadcaster;
  let b2: StubBroadcaster;
  /** In WORKER_ALLOWED_RENDITION_HOSTS. */
  let allowedFiles: StubFileServer;
  /** Neither a broadcaster nor allowed. */
  let strangerFiles: StubFileServer;
  let worker: InProcessWorker;
  let ingest: FakeIngest;
  let redis: Redis;
  let subscriber: Redis;
  const events: SegmentTranscodedEvent[] = [];

  beforeAll(async () => {
    env = await TestEnv.create({ name: 'worker-push-answer' });
    api = await StubLivepeerApi.start();
    [b1, b2] = [await StubBroadcaster.start(), await StubBroadcaster.start()];
    [allowedFiles, strangerFiles] = [await StubFileServer.start(), await StubFileServer.start()];
    api.broadcasters = [b1.address, b2.address].sort();
    ingest = await FakeIngest.create(env);
    worker = await InProcessWorker.start(env, api, { WORKER_ALLOWED_RENDITION_HOSTS: allowedFiles.address.replace('http://', '') });
    redis = new Redis(TEST_REDIS_URL);
    subscriber = new Redis(TEST_REDIS_URL);
    await subscriber.subscribe(redisKeys(env.id).segmentTranscodedChannel());
    subscriber.on('message', (_channel, message) => {
      const event = parseSegmentTranscoded(message);
      if (event) events.push(event);
    });
  });

  afterEach(() => {
    worker.clock.reset();
    for (const b of [b1, b2]) {
      b.fail([], 'ok');
      b.parts = undefined;
    }
  });

  afterAll(async () => {
    await worker?.close();
    await ingest?.close();
    await Promise.all([api?.close(), b1?.close(), b2?.close(), allowedFiles?.close(), strangerFiles?.close()]);
    redis?.disconnect();
    subscriber?.disconnect();
    await env?.cleanup();
  });

  const session = (): Session => ({ sessionId: randomUUID(), livepeerStreamId: `lp-${randomUUID().slice(0, 8)}` });
  /** Bytes that say which broadcaster transcoded which rendition of which segment. */
  const renditionBytes = (b: StubBroadcaster, name: string, seq: number) => taggedSegment(`${name} of ${seq} by ${b.address}`);
  const named =
    (...names: string[]) =>
    (b: StubBroadcaster) =>
    (_manifest: string, seq: number) =>
      names.map((name): StubPart => ({ name, body: renditionBytes(b, name, seq) }));
  const everyBroadcaster = (parts: (b: StubBroadcaster) => StubBroadcaster['parts']) => [b1, b2].forEach((b) => (b.parts = parts(b)));
  const byAddress = (address: string) => [b1, b2].find((b) => b.address === address)!;
  const stored = (key: string) => ingest.storage.getBuffer(key);
  const eventsOf = (sessionId: string, seq: number) => events.filter((e) => e.sessionId === sessionId && e.seq === seq);
  const announced = (sessionId: string, seq: number, count = 1) =>
    waitFor(() => eventsOf(sessionId, seq).length >= count && eventsOf(sessionId, seq), {
      intervalMs: 10,
      what: `announcement ${count} of ${sessionId}/${seq}`,
    });

  async function delivered(s: Session, seq: number) {
    const { job } = await ingest.finishedJob(s.sessionId, seq);
    const result = job.returnvalue as UploadJobResult;
    if (result.outcome !== 'uploaded') throw new Error(`not uploaded: ${JSON.stringify(result)}`);
    return result;
  }

  it('stores each named part under its rendition key, records the map in the ledger and announces it', async () => {
    everyBroadcaster(named('360p', '240p'));
    const storedBefore = await worker.metric('worker_rendition_parts_total', { outcome: 'stored' });
    const s = session();
    await ingest.ingest(s, 0);
    const result = await delivered(s, 0);
    const b = byAddress(result.broadcaster);

    expect(b.accepts[b.accepts.length - 1]).toBe('multipart/mixed');
    const keys = {
      '360p': objectKeys.transcodedSegment(s.sessionId, '360p', 0),
      '240p': objectKeys.transcodedSegment(s.sessionId, '240p', 0),
    };
    expect(await stored(keys['360p'])).toEqual(renditionBytes(b, '360p', 0));
    expect(await stored(keys['240p'])).toEqual(renditionBytes(b, '240p', 0));
    expect(await ingest.ledger.get(s.sessionId, 0)).toMatchObject({ state: 'uploaded', renditions: keys });
    const [event] = await announced(s.sessionId, 0);
    expect(event).toMatchObject({ sessionId: s.sessionId, streamId: s.sessionId, seq: 0, renditions: keys });
    expect(event.uploadedAt).toBeGreaterThan(0);
    expect(await worker.metric('worker_rendition_parts_total', { outcome: 'stored' })).toBe(storedBefore + 2);
  });

  it('names parts without Rendition-Name by the session profiles in order; a part past the profiles is left out', async () => {
    const s = session();
    const { sessions } = databaseRepositories(ingest.dataSource);
    await sessions.insert({
      id: s.sessionId,
      streamId: s.sessionId,
      livepeerStreamId: s.livepeerStreamId,
      livepeerStreamKey: null,
      livepeerPlaybackId: null,
      profiles: [
        { name: '720p', width: 1280, height: 720, bitrate: 3_000_000, fps: 0 },
        { name: '480p', width: 854, height: 480, bitrate: 1_600_000, fps: 0 },
      ],
      renditions: null,
      state: 'live',
      stateReason: null,
      protocol: 'rtmp',
      source: null,
      targetDuration: 2,
      startedAt: Date.now(),
      endedAt: null,
      playlistEndedAt: null,
      purgedAt: null,
      recordingId: null,
    });
    const failedBefore = await worker.metric('worker_rendition_parts_total', { outcome: 'failed' });
    everyBroadcaster((b) => (_m, seq) => ['first', 'second', 'third'].map((tag) => ({ body: renditionBytes(b, tag, seq) })));
    await ingest.ingest(s, 0);
    const b = byAddress((await delivered(s, 0)).broadcaster);

    const keys = {
      '720p': objectKeys.transcodedSegment(s.sessionId, '720p', 0),
      '480p': objectKeys.transcodedSegment(s.sessionId, '480p', 0),
    };
    expect(await stored(keys['720p'])).toEqual(renditionBytes(b, 'first', 0));
    expect(await stored(keys['480p'])).toEqual(renditionBytes(b, 'second', 0));
    expect((await ingest.ledger.get(s.sessionId, 0))!.renditions).toEqual(keys);
    expect((await announced(s.sessionId, 0))[0].renditions).toEqual(keys);
    expect(await worker.metric('worker_rendition_parts_total', { outcome: 'failed' })).toBe(failedBefore + 1);
  });

  it('leaves out a part that is not MPEG-TS (an error page, an empty body): never stored, counted as failed', async () => {
    const failedBefore = await worker.metric('worker_rendition_parts_total', { outcome: 'failed' });
    everyBroadcaster((b) => (_m, seq) => [
      { name: '360p', body: renditionBytes(b, '360p', seq) },
      { name: '240p', body: Buffer.from('<html><body>502 Bad Gateway</body></html>') },
      { name: '144p', body: Buffer.alloc(0) },
    ]);
    const s = session();
    await ingest.ingest(s, 0);
    await delivered(s, 0);
    const key360 = objectKeys.transcodedSegment(s.sessionId, '360p', 0);
    expect((await ingest.ledger.get(s.sessionId, 0))!.renditions).toEqual({ '360p': key360 });
    expect((await announced(s.sessionId, 0))[0].renditions).toEqual({ '360p': key360 });
    expect(await ingest.storage.stat(objectKeys.transcodedSegment(s.sessionId, '240p', 0))).toBeNull();
    expect(await ingest.storage.stat(objectKeys.transcodedSegment(s.sessionId, '144p', 0))).toBeNull();
    expect(await worker.metric('worker_rendition_parts_total', { outcome: 'failed' })).toBe(failedBefore + 2);
  });

  it('fetches parts given as URLs from a broadcaster or an allowed host, and refuses any other host', async () => {
    const s = session();
    const failedBefore = await worker.metric('worker_rendition_parts_total', { outcome: 'failed' });
    everyBroadcaster((b) => (_m, seq) => [
      { name: 'from-broadcaster', uri: b.put(`${s.sessionId}-a-${seq}`, renditionBytes(b, 'a', seq)) },
      { name: 'from-allowed', uri: allowedFiles.put(`${s.sessionId}-b-${seq}`, renditionBytes(b, 'b', seq)) },
      { name: 'from-stranger', uri: strangerFiles.put(`${s.sessionId}-c-${seq}`, renditionBytes(b, 'c', seq)) },
    ]);
    await ingest.ingest(s, 0);
    const b = byAddress((await delivered(s, 0)).broadcaster);

    expect(await stored(objectKeys.transcodedSegment(s.sessionId, 'from-broadcaster', 0))).toEqual(renditionBytes(b, 'a', 0));
    expect(await stored(objectKeys.transcodedSegment(s.sessionId, 'from-allowed', 0))).toEqual(renditionBytes(b, 'b', 0));
    await expect(stored(objectKeys.transcodedSegment(s.sessionId, 'from-stranger', 0))).rejects.toThrow();
    expect(strangerFiles.gets.get(`${s.sessionId}-c-0`) ?? 0).toBe(0);
    expect(Object.keys((await ingest.ledger.get(s.sessionId, 0))!.renditions!).sort()).toEqual(['from-allowed', 'from-broadcaster']);
    expect(Object.keys((await announced(s.sessionId, 0))[0].renditions!).sort()).toEqual(['from-allowed', 'from-broadcaster']);
    expect(await worker.metric('worker_rendition_parts_total', { outcome: 'failed' })).toBe(failedBefore + 1);
  });

  it('an answer without parts is delivered on the playlist path: renditions null in the ledger and the announcement', async () => {
    const s = session();
    await ingest.ingest(s, 0);
    await delivered(s, 0);
    expect(await ingest.ledger.get(s.sessionId, 0)).toMatchObject({ state: 'uploaded', renditions: null });
    expect((await announced(s.sessionId, 0))[0]).toMatchObject({ seq: 0, renditions: null });
  });

  it('parts that cannot be stored before the deadline: still uploaded, with renditions null', async () => {
    const s = session();
    const s3 = env.s3!;
    everyBroadcaster((b) => async (_m, seq) => {
      // The object store goes away while the broadcaster transcodes; the deadline passes.
      await s3.close();
      worker.clock.advance(5 * SEGMENT_MS);
      return named('360p')(b)(_m, seq) as StubPart[];
    });
    await ingest.ingest(s, 0);
    await delivered(s, 0);
    env.s3 = await startEmbeddedS3({ port: s3.port, directory: path.join(env.tmpDir, 's3') });

    expect(await ingest.ledger.get(s.sessionId, 0)).toMatchObject({ state: 'uploaded', renditions: null });
    expect((await announced(s.sessionId, 0))[0]).toMatchObject({ renditions: null });
  });

  describe('repush (the stitcher asks again for a segment whose renditions did not arrive)', () => {
    async function repush(payload: UploadSegmentPayload, n = 1, overrides: Partial<UploadSegmentPayload> = {}) {
      const jobId = repushJobId(payload.sessionId, payload.seq, n);
      await ingest.queue.add(UPLOAD_SEGMENT_JOB, { ...payload, ...overrides, repush: true }, { ...UPLOAD_JOB_OPTIONS, jobId });
      return waitFor(
        async () => {
          const state = await ingest.queue.getJobState(jobId);
          return (state === 'completed' || state === 'failed') && (await ingest.queue.getJob(jobId))!.returnvalue;
        },
        { intervalMs: 20, what: `repush job ${jobId}` },
      );
    }

    it('pushes an uploaded segment again around the broadcaster that had it, stores and announces the renditions again', async () => {
      everyBroadcaster(named('360p'));
      const s = session();
      const payload = await ingest.ingest(s, 0);
      const first = (await delivered(s, 0)).broadcaster;
      const other = [b1, b2].find((b) => b.address !== first)!;
      await announced(s.sessionId, 0);

      const result = await repush(payload);
      expect(result).toMatchObject({ outcome: 'uploaded', broadcaster: other.address, tried: [other.address] });
      const key = objectKeys.transcodedSegment(s.sessionId, '360p', 0);
      expect(await stored(key)).toEqual(renditionBytes(other, '360p', 0));
      expect(await ingest.ledger.get(s.sessionId, 0)).toMatchObject({
        state: 'uploaded',
        renditions: { '360p': key },
        broadcasters: [first, other.address],
      });
      const again = await announced(s.sessionId, 0, 2);
      expect(again[1]).toMatchObject({ seq: 0, renditions: { '360p': key } });
      // A detour for one segment: the session stays where it is.
      expect(await redis.get(redisKeys(env.id).sessionBroadcaster(s.sessionId))).toBe(first);
    });

    it('records the renditions of a repush of a segment whose first answer had none', async () => {
      const s = session();
      const payload = await ingest.ingest(s, 0);
      await delivered(s, 0);
      expect((await ingest.ledger.get(s.sessionId, 0))!.renditions).toBeNull();
      everyBroadcaster(named('240p'));

      expect(await repush(payload)).toMatchObject({ outcome: 'uploaded' });
      const key = objectKeys.transcodedSegment(s.sessionId, '240p', 0);
      expect(await ingest.ledger.get(s.sessionId, 0)).toMatchObject({ state: 'uploaded', renditions: { '240p': key } });
      expect((await announced(s.sessionId, 0, 2))[1].renditions).toEqual({ '240p': key });
    });

    it('a repush past its deadline ends as a result and leaves the segment uploaded, not dropped', async () => {
      const s = session();
      const payload = await ingest.ingest(s, 0);
      await delivered(s, 0);
      const result = await repush(payload, 1, { ingestedAt: Date.now() - 6 * SEGMENT_MS });
      expect(result).toMatchObject({ outcome: 'not-repushed', reason: 'deadline-exceeded', tried: [] });
      expect(await ingest.ledger.get(s.sessionId, 0)).toMatchObject({ state: 'uploaded', dropReason: null });
    });

    it('a repush of a segment already republished is skipped', async () => {
      const s = session();
      const payload = await ingest.ingest(s, 0);
      await delivered(s, 0);
      await ingest.ledger.markRepublished(s.sessionId, 0);
      const pushes = b1.pushes(s.livepeerStreamId, 0) + b2.pushes(s.livepeerStreamId, 0);
      expect(await repush(payload)).toMatchObject({ outcome: 'skipped', state: 'republished' });
      expect(b1.pushes(s.livepeerStreamId, 0) + b2.pushes(s.livepeerStreamId, 0)).toBe(pushes);
    });
  });
});
