import { Queue } from 'bullmq';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { DataSource } from '@lib/database';
import { StreamEntity } from '@lib/database';
import { UploadSegmentPayload, uploadJobId } from '@lib/queue';
import { freePort } from '@lib/runtime';
import { StorageService } from '@lib/storage';
import { generatePlaybackId, generateStreamKey, hashStreamKey } from '@lib/streams';
import { RunningApp, TestEnv, publishTestPattern, spawnApp, waitFor } from '@lib/testing';
import { createStream, ledgerOf, openStores, sessionsOf, startIngest } from './ingest-harness';

/**
 * The Livepeer stream of a publish: created again and again while the API is away (the
 * segments wait, then are enqueued), and a 422 is a configuration error that fails the
 * session at once instead of being retried.
 */
describe('ingest: creating the Livepeer stream', () => {
  let env: TestEnv;
  let vars: NodeJS.ProcessEnv;
  let livepeerPort: number;
  let ingest: RunningApp;
  let livepeer: RunningApp | undefined;
  let rtmpPort: number;
  let lines: string[];
  let db: DataSource;
  let storage: StorageService;
  let queue: Queue<UploadSegmentPayload>;

  beforeAll(async () => {
    env = await TestEnv.create({ name: 'ingest-livepeer' });
    livepeerPort = await freePort();
    vars = env.processEnv({
      LIVEPEER_API_URL: `http://127.0.0.1:${livepeerPort}/api`,
      INGEST_SPOOL_DIR: path.join(env.tmpDir, 'spool'),
    });
    ({ ingest, rtmpPort, lines } = await startIngest(vars));
    ({ db, storage, queue } = await openStores(vars));
  });

  afterAll(async () => {
    await queue?.close();
    await ingest?.proc.stop();
    await livepeer?.proc.stop();
    await db?.destroy();
    await env?.cleanup();
  });

  it('retries while the Livepeer API is unreachable, showing why, then enqueues the segments that waited', async () => {
    const stream = await createStream(vars, 'patient', '--presets', 'P144p30fps16x9');
    const publisher = publishTestPattern({
      output: `rtmp://127.0.0.1:${rtmpPort}/live/${stream.streamKey}`,
      seconds: 10,
      width: 320,
      height: 180,
    });
    const waiting = await waitFor(
      async () => {
        const s = (await sessionsOf(db, stream.id))[0];
        return s?.stateReason?.startsWith('waiting for the Livepeer API') ? s : null;
      },
      { what: 'the session to show it waits for the API', timeoutMs: 20_000 },
    );
    expect(waiting.state).toBe('starting');
    expect(waiting.stateReason).toMatch(
      /^waiting for the Livepeer API \(attempt \d+ failed: POST http:\/\/127\.0\.0\.1:\d+\/api\/stream failed: ECONNREFUSED/,
    );
    await waitFor(async () => (await ledgerOf(db, waiting.id)).length >= 1, {
      what: 'a segment cut before the stream exists',
      timeoutMs: 20_000,
    });
    expect((await ledgerOf(db, waiting.id))[0].state).toBe('ingested');

    livepeer = await spawnApp('livepeer-local', env.processEnv({ LIVEPEER_LOCAL_BROADCASTERS: 0, LIVEPEER_LOCAL_PORT: livepeerPort }));
    expect(await publisher.exited).toEqual({ code: 0, signal: null });
    const session = await waitFor(
      async () => {
        const s = (await sessionsOf(db, stream.id))[0];
        return s.state === 'ended' ? s : null;
      },
      { what: 'session ended', timeoutMs: 30_000 },
    );
    expect(session.livepeerStreamId).toBeTruthy();
    expect(session.stateReason).toBeNull();
    const rows = await ledgerOf(db, session.id);
    expect(rows.length).toBeGreaterThanOrEqual(5);
    expect(rows.map((r) => r.state)).toEqual(rows.map(() => 'queued'));
    for (const row of rows) {
      expect((await queue.getJob(uploadJobId(session.id, row.seq)))?.data.livepeerStreamId).toBe(session.livepeerStreamId);
      expect(await storage.stat(row.objectKey)).not.toBeNull();
    }
    expect(lines.some((l) => l.includes('"event":"livepeer-create-retry"'))).toBe(true);
  });

  it('notices a stream disabled behind its back (no event) at the next heartbeat and ends the publish', async () => {
    const stream = await createStream(vars, 'quiet', '--presets', 'P144p30fps16x9');
    const publisher = publishTestPattern({
      output: `rtmp://127.0.0.1:${rtmpPort}/live/${stream.streamKey}`,
      seconds: 20,
      width: 320,
      height: 180,
    });
    await waitFor(async () => (await sessionsOf(db, stream.id))[0]?.state === 'live', { what: 'session live', timeoutMs: 20_000 });
    await db.getRepository(StreamEntity).update({ id: stream.id }, { enabled: false });
    const disabledAt = Date.now();
    const session = await waitFor(
      async () => {
        const s = (await sessionsOf(db, stream.id))[0];
        return s.state === 'ended' ? s : null;
      },
      { what: 'session ended by the heartbeat', timeoutMs: 15_000 },
    );
    expect(Date.now() - disabledAt).toBeLessThan(10_000);
    expect(session.stateReason).toBe('stream disabled');
    expect((await publisher.exited).code).not.toBe(0);
  });

  it('fails the session on a 422 from the API, with the API errors, and drops its segments as no-livepeer-stream', async () => {
    // A ladder this relay accepts can only be refused by a stricter API: stored directly, as such an API would see it.
    const key = generateStreamKey();
    const id = randomUUID();
    await db.getRepository(StreamEntity).insert({
      id,
      name: 'rejected',
      ladder: { profiles: [{ name: 'tiny', width: 64, height: 64, bitrate: 100_000, fps: 30 }] },
      keyHash: hashStreamKey(key),
      playbackId: generatePlaybackId(),
      enabled: true,
      createdAt: Date.now(),
      updatedAt: Date.now(),
    });
    const publisher = publishTestPattern({ output: `rtmp://127.0.0.1:${rtmpPort}/live/${key}`, seconds: 8, width: 320, height: 180 });
    expect((await publisher.exited).code).not.toBe(0);
    const session = await waitFor(
      async () => {
        const s = (await sessionsOf(db, id))[0];
        return s?.state === 'failed' ? s : null;
      },
      { what: 'session failed', timeoutMs: 20_000 },
    );
    expect(session.stateReason).toBe('Livepeer configuration error: profiles[0].width must be >= 128; profiles[0].height must be >= 128');
    expect(session.livepeerStreamId).toBeNull();
    const rows = await ledgerOf(db, session.id);
    expect(rows.length).toBeGreaterThanOrEqual(1);
    for (const row of rows) {
      expect(row.state).toBe('dropped');
      expect(row.dropReason).toBe('no-livepeer-stream');
    }
    expect(lines.some((l) => l.includes('"event":"livepeer-config-error"'))).toBe(true);
    // one attempt only: a configuration error is not retried
    expect(lines.filter((l) => l.includes('"event":"livepeer-create-retry"') && l.includes(session.id))).toEqual([]);
  });
});
