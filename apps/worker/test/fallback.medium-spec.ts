/**
 * FALLBACK_TRANSCODE=local in process against real Redis, PostgreSQL, the S3 server and real
 * ffmpeg, with a stub API and a stub broadcaster: with no broadcaster (or every one failing) the
 * worker transcodes the session's ladder itself and records it as a push answer (bucket keys,
 * ledger renditions, announcement), and the next segment goes to a broadcaster again once one
 * takes it.
 */
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { LOCAL_FALLBACK_BROADCASTER, databaseRepositories } from '@lib/database';
import { probeMedia } from '@lib/media';
import { parseSegmentTranscoded, redisKeys, type SegmentTranscodedEvent, type UploadJobResult } from '@lib/queue';
import { objectKeys } from '@lib/storage';
import { TEST_REDIS_URL, TestEnv, waitFor } from '@lib/testing';
import { InProcessWorker, StubBroadcaster, StubLivepeerApi } from './in-process-worker';
import { FakeIngest } from './support';

type Session = { sessionId: string; livepeerStreamId: string };

describe('local fallback transcoding (in process, real stores and ffmpeg)', () => {
  let env: TestEnv;
  let api: StubLivepeerApi;
  let b1: StubBroadcaster;
  let worker: InProcessWorker;
  let ingest: FakeIngest;
  let subscriber: Redis;
  const events: SegmentTranscodedEvent[] = [];

  beforeAll(async () => {
    env = await TestEnv.create({ name: 'worker-fallback' });
    api = await StubLivepeerApi.start();
    b1 = await StubBroadcaster.start();
    ingest = await FakeIngest.create(env);
    worker = await InProcessWorker.start(env, api, {
      FALLBACK_TRANSCODE: 'local',
      BROADCASTER_COOLDOWN_MS: 100,
      BROADCASTER_SESSION_BAN_MS: 100,
    });
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
    await Promise.all([api?.close(), b1?.close()]);
    subscriber?.disconnect();
    await env?.cleanup();
  });

  async function liveSession(profiles = [{ name: '144p', width: 256, height: 144, bitrate: 200_000, fps: 0 }]): Promise<Session> {
    const s = { sessionId: randomUUID(), livepeerStreamId: `lp-${randomUUID().slice(0, 8)}` };
    await databaseRepositories(ingest.dataSource).sessions.insert({
      id: s.sessionId,
      streamId: s.sessionId,
      livepeerStreamId: s.livepeerStreamId,
      livepeerStreamKey: null,
      livepeerPlaybackId: null,
      profiles,
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
    return s;
  }

  const resultOf = async (s: Session, seq: number) => (await ingest.finishedJob(s.sessionId, seq)).job.returnvalue as UploadJobResult;

  it('transcodes the ladder itself when the API lists no broadcaster, and records it as a push answer', async () => {
    api.broadcasters = [];
    const s = await liveSession();
    await ingest.ingest(s, 0);
    const result = await resultOf(s, 0);
    expect(result).toMatchObject({ outcome: 'uploaded', broadcaster: LOCAL_FALLBACK_BROADCASTER });

    const key = objectKeys.transcodedSegment(s.sessionId, '144p', 0);
    const row = (await ingest.ledger.get(s.sessionId, 0))!;
    expect(row).toMatchObject({ state: 'uploaded', renditions: { '144p': key } });
    expect(row.broadcasters).toEqual([LOCAL_FALLBACK_BROADCASTER]);
    // Real media of the profile's size, keeping the source's length.
    const probed = await probeMedia(await ingest.storage.getBuffer(key));
    expect(probed.video).toMatchObject({ codec: 'h264', width: 256, height: 144 });
    expect(probed.duration).toBeGreaterThan(1.5);
    await waitFor(() => events.some((e) => e.sessionId === s.sessionId && e.seq === 0), { what: 'the announcement' });
    expect(events.find((e) => e.sessionId === s.sessionId)!.renditions).toEqual({ '144p': key });
    expect(await worker.metric('worker_fallback_transcodes_total', { trigger: 'no-broadcaster', outcome: 'uploaded' })).toBe(1);
    expect(await ingest.ledger.localTranscodes(s.sessionId)).toEqual([{ seq: 0, ingestedAt: row.ingestedAt, uploadedAt: row.uploadedAt }]);
  });

  it('falls back when the only broadcaster keeps failing, and switches back to it on the next segment once it answers', async () => {
    api.broadcasters = [b1.address];
    b1.fail([], '503');
    const s = await liveSession();
    await ingest.ingest(s, 0);
    const first = await resultOf(s, 0);
    expect(first).toMatchObject({ outcome: 'uploaded', broadcaster: LOCAL_FALLBACK_BROADCASTER });
    expect(first.tried[0]).toBe(b1.address); // the broadcaster was tried first
    expect(first.tried.at(-1)).toBe(LOCAL_FALLBACK_BROADCASTER);

    b1.fail([], 'ok');
    await new Promise((resolve) => setTimeout(resolve, 150)); // its cooldown (100 ms) passes
    await ingest.ingest(s, 1);
    expect(await resultOf(s, 1)).toMatchObject({ outcome: 'uploaded', broadcaster: b1.address });
    expect((await ingest.ledger.localTranscodes(s.sessionId)).map((r) => r.seq)).toEqual([0]);
  });

  it('drops the segment when it cannot transcode either (a session without profiles), with both reasons', async () => {
    api.broadcasters = [b1.address];
    b1.fail([], '503');
    const s = await liveSession([]);
    await ingest.ingest(s, 0);
    expect(await resultOf(s, 0)).toMatchObject({ outcome: 'dropped', reason: 'deadline-exceeded' });
    const row = (await ingest.ledger.get(s.sessionId, 0))!;
    expect(row.state).toBe('dropped');
    expect(row.dropDetail).toMatch(/local fallback: the session has no profiles/);
    expect(await worker.metric('worker_fallback_transcodes_total', { outcome: 'failed' })).toBe(1);
  });
});
