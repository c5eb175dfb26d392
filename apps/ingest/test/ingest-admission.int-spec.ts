import Redis from 'ioredis';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { BROADCASTER_STATS_FIELDS, redisKeys } from '@lib/queue';
import { TestEnv, publishTestPattern, sleep, waitFor } from '@lib/testing';
import { CreatedStream, IngestStack, createStream, encodePushSegments, rtmpUrl, sessionsOf, startIngestStack } from './ingest-harness';

/**
 * Admission control against real broadcasters: livepeer-local with 2 broadcasters of 2
 * sessions each (capacity 4, read from their /status), no workers. Publishes past the capacity
 * are refused at connect time with the reason (push: 503 JSON + Retry-After; RTMP: the error
 * status before Publish.Start) and leave no session; a freed slot is taken again; a broadcaster
 * the workers saw answer "Too many sessions" takes no new session.
 */
describe('ingest: admission control', () => {
  let env: TestEnv;
  let stack: IngestStack;
  let redis: Redis;
  let segment: Buffer;
  const streams: CreatedStream[] = [];

  beforeAll(async () => {
    env = await TestEnv.create({ name: 'ingest-admission' });
    stack = await startIngestStack(
      env,
      { INGEST_PUSH_IDLE_TIMEOUT_MS: 3000, ADMISSION_RETRY_AFTER_SECONDS: 7 },
      { LIVEPEER_LOCAL_BROADCASTERS: 2, LIVEPEER_LOCAL_MAX_SESSIONS: 2, LIVEPEER_LOCAL_TRANSCODE_MODE: 'passthrough' },
    );
    redis = new Redis(stack.vars.REDIS_URL!);
    const [first] = await encodePushSegments(path.join(env.tmpDir, 'push'), 2);
    segment = await readFile(first.file);
    for (let i = 0; i < 6; i++) streams.push(await createStream(stack.vars, `admission-${i}`, '--presets', 'P144p30fps16x9'));
    // Both broadcasters healthy in the API's list, as ingest will read it.
    await waitFor(
      async () => {
        const list = (await (await fetch(`${stack.livepeer.url}/api/broadcaster`)).json()) as unknown[];
        return list.length === 2;
      },
      { what: 'two broadcasters listed' },
    );
  });

  afterAll(async () => {
    redis?.disconnect();
    await stack?.close();
    await env?.cleanup();
  });

  const pushTo = async (stream: CreatedStream, seq = 0) => {
    const response = await fetch(`${stack.ingest.url}/live/${stream.streamKey}/${seq}.ts`, { method: 'PUT', body: segment });
    return { status: response.status, retryAfter: response.headers.get('retry-after'), body: await response.text() };
  };
  const noLiveSessions = () =>
    waitFor(
      async () => {
        for (const s of streams)
          if ((await sessionsOf(stack.db, s.id)).some((x) => x.state === 'starting' || x.state === 'live')) return false;
        return true;
      },
      { what: 'every push session ended', timeoutMs: 30_000 },
    );

  it('takes as many publishes as the broadcasters can transcode and refuses the next with the reason', async () => {
    const answers = await Promise.all(streams.slice(0, 4).map((s) => pushTo(s)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);

    const refused = await pushTo(streams[4]);
    expect(refused.status).toBe(503);
    expect(refused.retryAfter).toBe('7');
    expect(JSON.parse(refused.body)).toEqual({
      error: 'over-capacity',
      reason: 'no-broadcaster-capacity',
      message: 'the relay is at capacity: the broadcasters can transcode 4 sessions and 4 are live; try again in 7 s',
      retryAfterSeconds: 7,
    });

    // RTMP: refused before NetStream.Publish.Start, with the same reason in the status ffmpeg prints.
    const rtmp = publishTestPattern({ output: rtmpUrl(stack, streams[5].streamKey), seconds: 4, width: 320, height: 180 }, 'over-capacity');
    const exit = await rtmp.exited;
    expect(exit.code).not.toBe(0);
    expect(rtmp.tail()).toContain('Server error: the relay is at capacity: the broadcasters can transcode 4 sessions and 4 are live');

    // Refused publishes open no session; the refusals are logged and counted with their reason.
    expect(await sessionsOf(stack.db, streams[4].id)).toEqual([]);
    expect(await sessionsOf(stack.db, streams[5].id)).toEqual([]);
    const refusals = stack.lines.filter((l) => l.includes('"event":"publish-refused"') && l.includes('"reason":"over-capacity"'));
    expect(refusals.length).toBe(2);

    // Once the push sessions end (idle timeout), their slots are free again.
    await noLiveSessions();
    expect((await pushTo(streams[4])).status).toBe(200);
    await noLiveSessions();
  });

  it('counts a broadcaster that answered "Too many sessions" as full', async () => {
    const keys = redisKeys(stack.vars.REDIS_PREFIX!);
    const list = (await (await fetch(`${stack.livepeer.url}/api/broadcaster`)).json()) as { address: string }[];
    const f = BROADCASTER_STATS_FIELDS;
    // What a worker records when a push is answered so (broadcaster-stats.service.ts recordFailure).
    await redis.hset(
      keys.broadcasterStats(list[0].address),
      f.address,
      list[0].address,
      f.lastFailureAt,
      Date.now(),
      f.lastError,
      'HTTP 500: Too many sessions (max 2)',
    );
    await sleep(1100); // past ingest's 1 s load snapshot, so the next publish reads the marker

    const answers = await Promise.all(streams.slice(0, 2).map((s) => pushTo(s)));
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    const refused = await pushTo(streams[2]);
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.body).message).toContain('the broadcasters can transcode 2 sessions and 2 are live');
  });
});
