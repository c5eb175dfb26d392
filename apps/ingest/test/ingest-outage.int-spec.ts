import path from 'node:path';
import { uploadJobId } from '@lib/queue';
import { ManagedProcess, freePort, startEmbeddedS3, startRedisServer } from '@lib/runtime';
import { TestEnv, publishTestPattern, sleep, waitFor } from '@lib/testing';
import { CreatedStream, IngestStack, createStream, ledgerOf, rtmpUrl, sessionsOf, startIngestStack } from './ingest-harness';

/**
 * Outages while publishing: the test's own redis-server (never the machine's shared one)
 * and its own S3 server are stopped for a few seconds mid-publish; no segment may be
 * lost. Then a reconnect starts a new session, and SIGTERM ends it cleanly.
 */
describe('ingest: Redis and object store outages, reconnect, SIGTERM', () => {
  let env: TestEnv;
  let redis: ManagedProcess;
  let redisPort: number;
  let stack: IngestStack;
  let stream: CreatedStream;
  const redisDir = () => path.join(env.tmpDir, 'redis');

  beforeAll(async () => {
    env = await TestEnv.create({ name: 'ingest-outage' });
    redisPort = await freePort();
    redis = await startRedisServer({ port: redisPort, dataDir: redisDir() });
    stack = await startIngestStack(env, { REDIS_URL: `redis://127.0.0.1:${redisPort}`, INGEST_SHUTDOWN_GRACE_MS: 8000 });
    stream = await createStream(stack.vars, 'steady', '--presets', 'P144p30fps16x9');
  });

  afterAll(async () => {
    await stack?.close();
    await redis?.stop();
    await env?.cleanup();
  });

  it('loses no segment while Redis and then the object store are down for a few seconds', async () => {
    const publisher = publishTestPattern({ output: rtmpUrl(stack, stream.streamKey), seconds: 16, width: 320, height: 180 }, 'steady');
    const session = await waitFor(
      async () => {
        const s = (await sessionsOf(stack.db, stream.id))[0];
        return s?.state === 'live' ? s : null;
      },
      { what: 'session live', timeoutMs: 20_000 },
    );

    await redis.stop();
    await sleep(4000);
    redis = await startRedisServer({ port: redisPort, dataDir: redisDir() });

    await waitFor(async () => (await ledgerOf(stack.db, session.id)).length >= 5, { what: 'five segments', timeoutMs: 20_000 });
    const { port } = env.s3!;
    await env.s3!.close();
    await sleep(3000);
    env.s3 = await startEmbeddedS3({ port, directory: path.join(env.tmpDir, 's3') });

    expect(await publisher.exited).toEqual({ code: 0, signal: null });
    const ended = await waitFor(
      async () => {
        const s = (await sessionsOf(stack.db, stream.id))[0];
        return s.state === 'ended' ? s : null;
      },
      { what: 'session ended', timeoutMs: 30_000 },
    );
    expect(ended.stateReason).toBeNull();

    const rows = await ledgerOf(stack.db, session.id);
    expect(rows.length).toBeGreaterThanOrEqual(8);
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i));
    expect(rows.map((r) => r.state)).toEqual(rows.map(() => 'queued'));
    expect(Math.abs(rows.reduce((sum, r) => sum + r.durationMs, 0) - 16_000)).toBeLessThan(300);
    for (const row of rows) {
      expect((await stack.storage.stat(row.objectKey))?.size).toBe(row.bytes);
      expect((await stack.queue.getJob(uploadJobId(session.id, row.seq)))?.data.seq).toBe(row.seq);
    }
    // The outages were noticed and waited out, not ignored.
    expect(stack.lines.some((l) => l.includes('"event":"segment-waiting"') && l.includes('queue unreachable'))).toBe(true);
    expect(stack.lines.some((l) => l.includes('"event":"segment-waiting"') && l.includes('object store unreachable'))).toBe(true);
    expect(stack.lines.some((l) => l.includes('"event":"segment-dropped"'))).toBe(false);
  });

  it('starts a new session on reconnect, and on SIGTERM flushes its last segment and ends it', async () => {
    const publisher = publishTestPattern({ output: rtmpUrl(stack, stream.streamKey), seconds: 30, width: 320, height: 180 }, 'again');
    const session = await waitFor(async () => (await sessionsOf(stack.db, stream.id))[1], { what: 'second session', timeoutMs: 20_000 });
    // SIGTERM mid-segment: one second after the second segment closed.
    const [, secondCut] = await waitFor(
      async () => {
        const rows = await ledgerOf(stack.db, session.id);
        return rows.length >= 2 ? rows : null;
      },
      { what: 'two segments', timeoutMs: 20_000, intervalMs: 50 },
    );
    await sleep(Math.max(0, secondCut.ingestedAt + 1000 - Date.now()));

    const stopping = Date.now();
    await stack.ingest.proc.stop(15_000);
    expect(await stack.ingest.proc.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - stopping).toBeLessThan(10_000);
    expect((await publisher.exited).code).not.toBe(0);

    const [first, second] = await sessionsOf(stack.db, stream.id);
    expect(second.id).not.toBe(first.id);
    expect(second).toMatchObject({ state: 'ended', stateReason: 'ingest shutting down', streamId: first.streamId });
    const rows = await ledgerOf(stack.db, second.id);
    expect(rows.map((r) => [r.seq, r.state])).toEqual(rows.map((_, i) => [i, 'queued']));
    expect(rows.length).toBeGreaterThanOrEqual(3);
    expect(rows.slice(0, -1).every((r) => Math.abs(r.durationMs - 2000) <= 100)).toBe(true);
    // the segment being cut at SIGTERM was flushed, not lost
    expect(rows[rows.length - 1].durationMs).toBeGreaterThan(300);
    expect(rows[rows.length - 1].durationMs).toBeLessThan(1900);
    expect(stack.lines.some((l) => l.includes('"event":"shutdown-complete"'))).toBe(true);
  });
});
