import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { SessionEntity } from '@lib/database';
import { SessionEvent, uploadJobId } from '@lib/queue';
import { ManagedProcess } from '@lib/runtime';
import { objectKeys } from '@lib/storage';
import { TestEnv, publishTestPattern, sleep, waitFor } from '@lib/testing';
import {
  CreatedStream,
  IngestStack,
  awaitSession,
  createStream,
  decodeSegment,
  downloadSegment,
  encodePushSegments,
  getLivepeerStream,
  ledgerOf,
  push,
  rawConnect,
  rtmpHandshakeThenGarbage,
  rtmpUrl,
  scrapeMetrics,
  startIngestStack,
  watchSessionEvents,
} from './ingest-harness';

type Exit = { code: number | null; signal: string | null };

/**
 * Three RTMP publishers and one HTTP pusher at once, with garbage and half-open
 * connections on both ports while they run; then the object store, the ledger, the
 * queue, Livepeer, the session events and /metrics are checked for each of them.
 * Refused and cut-off publishes have their own cases in ingest-refusals.int-spec.ts.
 */
describe('ingest: RTMP and HTTP push publishing at once', () => {
  let env: TestEnv;
  let stack: IngestStack;
  let events: { events: SessionEvent[]; close: () => Promise<void> };
  const streams: Record<string, CreatedStream> = {};
  const PUBLISH_SECONDS = 10;
  const rtmpNames = ['alpha', 'bravo', 'charlie'] as const;
  const publishers: Record<string, ManagedProcess> = {};
  let pushSegments: { file: string; durationMs: number }[] = [];
  const outcomes: { exits: Record<string, Exit>; pushAnswers: number[]; retried?: { status: number; text: string } } = {
    exits: {},
    pushAnswers: [],
  };

  // The scenario every case below inspects: it is one concurrent run, so it is set up once.
  beforeAll(async () => {
    env = await TestEnv.create({ name: 'ingest-concurrent' });
    stack = await startIngestStack(env, { INGEST_PUSH_IDLE_TIMEOUT_MS: 3000 });
    events = await watchSessionEvents(stack.vars.REDIS_URL!, env.id);
    const ladders: Record<string, string[]> = {
      alpha: ['--presets', 'P240p30fps16x9,P144p30fps16x9'],
      bravo: ['--profiles', JSON.stringify([{ name: 'low', width: 256, height: 144, bitrate: 300_000, fps: 30 }])],
      charlie: ['--presets', 'P144p30fps16x9'],
      pusher: ['--presets', 'P144p30fps16x9'],
    };
    for (const [name, ladder] of Object.entries(ladders)) streams[name] = await createStream(stack.vars, name, ...ladder);
    pushSegments = await encodePushSegments(path.join(env.tmpDir, 'push'), PUBLISH_SECONDS);

    for (const name of rtmpNames) {
      publishers[name] = publishTestPattern(
        { output: rtmpUrl(stack, streams[name].streamKey), seconds: PUBLISH_SECONDS, width: 320, height: 180, gopSeconds: 2 },
        name,
      );
    }

    // Garbage and half-open connections on both ports while the publishers run.
    const idle = [
      await rawConnect(stack.rtmpPort, Buffer.concat([Buffer.from([3]), randomBytes(700)])), // half handshake, left open
      await rawConnect(stack.ingest.port, Buffer.from('PUT /live/')), // half request line, left open
    ];
    (await rawConnect(stack.rtmpPort, randomBytes(8000))).destroy();
    (await rtmpHandshakeThenGarbage(stack.rtmpPort, randomBytes(8000))).destroy();
    (await rawConnect(stack.ingest.port, randomBytes(4000))).destroy();

    // HTTP push: paced like a live pusher, with one retried push in the middle.
    const pushUrl = (seq: number) => `${stack.ingest.url}/live/${streams.pusher.streamKey}/${seq}.ts`;
    for (const [seq, segment] of pushSegments.entries()) {
      const body = await readFile(segment.file);
      const headers = { 'Content-Duration': String(segment.durationMs), 'Content-Resolution': '320x180', 'Content-Type': 'video/mp2t' };
      outcomes.pushAnswers.push((await push(pushUrl(seq), body, headers)).status);
      if (seq === 2) outcomes.retried = await push(pushUrl(seq), body, headers);
      await sleep(800);
    }

    for (const name of rtmpNames) outcomes.exits[name] = await publishers[name].exited;
    for (const socket of idle) socket.destroy();
  });

  afterAll(async () => {
    for (const p of Object.values(publishers)) p.kill();
    await events?.close();
    await stack?.close();
    await env?.cleanup();
  });

  const endedSession = (name: string): Promise<SessionEntity> =>
    awaitSession(stack.db, streams[name], { state: 'ended', what: `${name} session ended` });

  /** The types of a session's events, once at least `count` of them arrived. */
  const eventTypesOf = (sessionId: string, count: number): Promise<string[]> =>
    waitFor(
      () => {
        const types = events.events.filter((e) => e.sessionId === sessionId).map((e) => e.type);
        return types.length >= count ? types : null;
      },
      { what: `${count} events of session ${sessionId}` },
    );

  it('takes three RTMP publishers and one HTTP pusher at once, surviving garbage meanwhile', async () => {
    // The three publishers and the pusher were unaffected by the garbage and by each other.
    for (const name of rtmpNames) expect(outcomes.exits[name], `${name}: ${publishers[name].tail()}`).toEqual({ code: 0, signal: null });
    expect(outcomes.pushAnswers).toEqual(pushSegments.map(() => 200));
    expect((await fetch(`${stack.ingest.url}/health/live`)).status).toBe(200);
    expect(stack.ingest.proc.running).toBe(true);
  });

  it('cuts each RTMP publish into complete 2 s segments with no holes, stored, decodable, recorded and enqueued', async () => {
    for (const name of rtmpNames) {
      const session = await endedSession(name);
      expect(session).toMatchObject({ state: 'ended', stateReason: null, protocol: 'rtmp', targetDuration: 2 });
      expect(session.source).toMatchObject({
        videoCodec: 'h264',
        width: 320,
        height: 180,
        keyframeIntervalSec: 2,
        fps: 30,
        audioCodec: 'aac',
      });
      expect(session.livepeerStreamId).toBeTruthy();
      expect(session.endedAt).toBeGreaterThan(session.startedAt);

      const rows = await ledgerOf(stack.db, session.id);
      expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i));
      expect(rows.length).toBeGreaterThanOrEqual(5);
      expect(rows.length).toBeLessThanOrEqual(6);
      expect(rows.every((r) => r.state === 'queued')).toBe(true);
      const total = rows.reduce((sum, r) => sum + r.durationMs, 0);
      expect(Math.abs(total - PUBLISH_SECONDS * 1000)).toBeLessThan(300);
      for (const row of rows.slice(0, -1)) expect(Math.abs(row.durationMs - 2000), `${name} seq ${row.seq}`).toBeLessThanOrEqual(100);
      expect(rows[rows.length - 1].durationMs).toBeLessThanOrEqual(2100);
      // Start times: the first frame arrives right after the publish opened the session; each
      // segment starts where the previous one ends on the media clock, and closes (reaches the
      // ledger) once its media has arrived. Upper bounds are loose: on a loaded machine the
      // segmenter runs behind, which says nothing about the start times themselves.
      expect(rows[0].startedAt! - session.startedAt, `${name} first segment start`).toBeGreaterThanOrEqual(0);
      expect(rows[0].startedAt! - session.startedAt, `${name} first segment start`).toBeLessThan(5000);
      for (const [i, row] of rows.entries()) {
        if (i > 0)
          expect(
            Math.abs(row.startedAt! - rows[i - 1].startedAt! - rows[i - 1].durationMs),
            `${name} seq ${row.seq} start`,
          ).toBeLessThanOrEqual(5);
        if (i < rows.length - 1)
          expect(row.ingestedAt - (row.startedAt! + row.durationMs), `${name} seq ${row.seq} closed`).toBeGreaterThanOrEqual(-200);
      }

      for (const row of rows) {
        expect(row.objectKey).toBe(objectKeys.sourceSegment(session.id, row.seq));
        expect(row.resolution).toBe('320x180');
        expect((await stack.storage.stat(row.objectKey))?.size).toBe(row.bytes);
        const decoded = await decodeSegment(await downloadSegment(stack.storage, row.objectKey, path.join(env.tmpDir, 'check')));
        expect(decoded.errors).toBe('');
        expect(decoded.width).toBe(320);
        expect(Math.abs(decoded.duration * 1000 - row.durationMs), `${name} seq ${row.seq} probed`).toBeLessThanOrEqual(100);
        expect(Math.abs(decoded.frames - (row.durationMs / 1000) * 30)).toBeLessThanOrEqual(2);

        const job = await stack.queue.getJob(uploadJobId(session.id, row.seq));
        expect(job?.name).toBe('UploadSegment');
        expect(job?.data).toEqual({
          sessionId: session.id,
          streamId: streams[name].id,
          livepeerStreamId: session.livepeerStreamId,
          seq: row.seq,
          objectKey: row.objectKey,
          durationMs: row.durationMs,
          resolution: '320x180',
          bytes: row.bytes,
          ingestedAt: row.ingestedAt,
        });
      }
    }
  });

  it('creates the Livepeer stream of each publish with the stream ladder, and records it on the session', async () => {
    const alpha = await awaitSession(stack.db, streams.alpha);
    const alphaLp = await getLivepeerStream(stack.livepeer, alpha.livepeerStreamId!);
    expect(alphaLp.status).toBe(200);
    // The presets go out expanded into explicit profiles: the API's own idea of a preset never decides the ladder.
    expect(alphaLp.body.presets ?? []).toEqual([]);
    expect((alphaLp.body.profiles as { name: string }[]).map((p) => p.name)).toEqual(['P240p30fps16x9', 'P144p30fps16x9']);
    expect(Object.keys(alpha.renditions!)).toEqual(['P240p30fps16x9', 'P144p30fps16x9']);
    expect(alpha.profiles!.map((p) => [p.name, p.width, p.height])).toEqual([
      ['P240p30fps16x9', 426, 240],
      ['P144p30fps16x9', 256, 144],
    ]);
    expect(alpha.livepeerStreamKey).toBe(alphaLp.body.streamKey);

    const bravo = await awaitSession(stack.db, streams.bravo);
    const bravoLp = await getLivepeerStream(stack.livepeer, bravo.livepeerStreamId!);
    expect(bravoLp.body.profiles).toEqual([{ name: 'low', width: 256, height: 144, bitrate: 300_000, fps: 30 }]);
    expect(bravo.renditions).toEqual({ low: `/stream/${bravo.livepeerStreamId}/low.m3u8` });
  });

  it('announces start, live and end of every session on the session-events channel', async () => {
    for (const name of rtmpNames) {
      const session = await endedSession(name);
      // The end is announced after the row says ended: wait for the event itself.
      const types = await eventTypesOf(session.id, 3);
      expect(types).toEqual(['session-started', 'session-live', 'session-ended']);
      expect(events.events.find((e) => e.sessionId === session.id)?.streamId).toBe(streams[name].id);
    }
  });

  it('ingests HTTP pushes with broadcaster-push semantics and ends the session when pushes stop', async () => {
    const session = await awaitSession(stack.db, streams.pusher, { state: 'ended', what: 'push session ended after the idle timeout' });
    expect(session).toMatchObject({ protocol: 'http', stateReason: 'no segment pushed for 3 s', livepeerStreamId: expect.any(String) });
    expect(session.source).toMatchObject({ videoCodec: 'h264', width: 320, height: 180, audioCodec: 'aac' });
    const rows = await ledgerOf(stack.db, session.id);
    // the retried push of seq 2 was acknowledged, not ingested twice
    expect(outcomes.retried).toMatchObject({ status: 200, text: 'segment 2 already received' });
    expect(rows.map((r) => [r.seq, r.state, r.durationMs, r.resolution])).toEqual(
      pushSegments.map((s, seq) => [seq, 'queued', s.durationMs, '320x180']),
    );
    for (const [seq, row] of rows.entries()) {
      // A push starts when it arrives: before it was recorded, after the previous push.
      expect(row.startedAt).toBeLessThanOrEqual(row.ingestedAt);
      if (seq > 0) expect(row.startedAt).toBeGreaterThan(rows[seq - 1].startedAt!);
      expect(await stack.storage.getBuffer(row.objectKey)).toEqual(await readFile(pushSegments[seq].file));
      expect((await stack.queue.getJob(uploadJobId(session.id, seq)))?.data.durationMs).toBe(pushSegments[seq].durationMs);
    }
  });

  it('reports segments, latency and live publishes on /metrics', async () => {
    // This file's ingest serves only the scenario above: its counters are the scenario's.
    for (const name of [...rtmpNames, 'pusher']) await endedSession(name);
    const value = await scrapeMetrics(stack);
    expect(value(/^ingest_segments_enqueued_total\{[^}]*protocol="rtmp"[^}]*\} (\d+)/m)).toBeGreaterThanOrEqual(15);
    expect(value(/^ingest_segments_enqueued_total\{[^}]*protocol="http"[^}]*\} (\d+)/m)).toBe(pushSegments.length);
    expect(value(/^ingest_latency_seconds_count\{[^}]*\} (\d+)/m)).toBeGreaterThanOrEqual(20);
    expect(value(/^ingest_active_publishes\{[^}]*protocol="rtmp"[^}]*\} (\d+)/m)).toBe(0);
  });
});
