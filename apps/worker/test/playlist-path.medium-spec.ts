/**
 * WORKER_MULTIPART=false (the playlist path), in process against real Redis, PostgreSQL and the
 * S3 server: the push does not ask for the renditions, nothing is stored for them, and the
 * announcement says `renditions: null` so the stitcher polls the playlists at once.
 */
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { parseSegmentTranscoded, redisKeys, type SegmentTranscodedEvent, type UploadJobResult } from '@lib/queue';
import { objectKeys } from '@lib/storage';
import { TEST_REDIS_URL, TestEnv, taggedSegment, waitFor } from '@lib/testing';
import { InProcessWorker, StubBroadcaster, StubLivepeerApi } from './in-process-worker';
import { FakeIngest } from './support';

describe('playlist path (WORKER_MULTIPART=false)', () => {
  let env: TestEnv;
  let api: StubLivepeerApi;
  let broadcaster: StubBroadcaster;
  let worker: InProcessWorker;
  let ingest: FakeIngest;
  let subscriber: Redis;
  const events: SegmentTranscodedEvent[] = [];

  beforeAll(async () => {
    env = await TestEnv.create({ name: 'worker-playlist-path' });
    api = await StubLivepeerApi.start();
    broadcaster = await StubBroadcaster.start();
    api.broadcasters = [broadcaster.address];
    ingest = await FakeIngest.create(env);
    worker = await InProcessWorker.start(env, api, { WORKER_MULTIPART: 'false' });
    subscriber = new Redis(TEST_REDIS_URL);
    await subscriber.subscribe(redisKeys(env.id).segmentTranscodedChannel());
    subscriber.on('message', (_channel, message) => {
      const event = parseSegmentTranscoded(message);
      if (event) events.push(event);
    });
  });

  afterAll(async () => {
    await worker?.close();
    await ingest?.close();
    await Promise.all([api?.close(), broadcaster?.close()]);
    subscriber?.disconnect();
    await env?.cleanup();
  });

  it('pushes without Accept: multipart/mixed and announces the segment with renditions null', async () => {
    // This broadcaster would answer parts to a push that asked for them.
    broadcaster.parts = () => [{ name: '360p', body: taggedSegment('rendition') }];
    const s = { sessionId: randomUUID(), livepeerStreamId: `lp-${randomUUID().slice(0, 8)}` };
    await ingest.ingest(s, 0);
    const { job } = await ingest.finishedJob(s.sessionId, 0);

    expect(job.returnvalue as UploadJobResult).toMatchObject({ outcome: 'uploaded', broadcaster: broadcaster.address });
    expect(broadcaster.accepts).toEqual([undefined]);
    expect(await ingest.ledger.get(s.sessionId, 0)).toMatchObject({ state: 'uploaded', renditions: null });
    const event = await waitFor(() => events.find((e) => e.sessionId === s.sessionId), { intervalMs: 10, what: 'the announcement' });
    expect(event).toMatchObject({ sessionId: s.sessionId, streamId: s.sessionId, seq: 0, renditions: null });
    expect(await ingest.storage.list(`segments/${s.sessionId}/renditions/`)).toEqual([]);
    expect(objectKeys.transcodedSegment(s.sessionId, '360p', 0).startsWith(`segments/${s.sessionId}/renditions/`)).toBe(true);
  });
});
