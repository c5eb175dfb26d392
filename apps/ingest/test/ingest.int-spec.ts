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
  cli,
  createStream,
  decodeSegment,
  downloadSegment,
  encodeHevcSegment,
  encodePushSegments,
  getLivepeerStream,
  ledgerOf,
  publishSorenson,
  push,
  rawConnect,
  rtmpHandshakeThenGarbage,
  rtmpUrl,
  sessionsOf,
  startIngestStack,
  watchSessionEvents,
} from './ingest-harness';


/**
 * Issue 4's ingest test: three RTMP publishers and one HTTP pusher at once, and while
 * they run, every kind of bad publish and bad traffic; then the object store, the
 * ledger, the queue, Livepeer and the session events are checked for each of them.
 */
describe('ingest: RTMP and HTTP push publishing', () => {
  let env: TestEnv;
  let stack: IngestStack;
  let events: { events: SessionEvent[]; close: () => Promise<void> };
  const streams: Record<string, CreatedStream> = {};
  const PUBLISH_SECONDS = 10;
  const rtmpNames = ['alpha', 'bravo', 'charlie'] as const;
  const publishers: Record<string, ManagedProcess> = {};
  let pushSegments: { file: string; durationMs: number }[] = [];
  const outcomes: Record<string, unknown> = {};

  beforeAll(async () => {
    env = await TestEnv.create({ name: 'ingest' });
    stack = await startIngestStack(env, { INGEST_PUSH_IDLE_TIMEOUT_MS: 3000, INGEST_MAX_PUSH_BYTES: 1_000_000 });
    events = await watchSessionEvents(stack.vars.REDIS_URL!, env.id);
    const ladders: Record<string, string[]> = {
      alpha: ['--presets', 'P240p30fps16x9,P144p30fps16x9'],
      bravo: ['--profiles', JSON.stringify([{ name: 'low', width: 256, height: 144, bitrate: 300_000, fps: 30 }])],
      charlie: ['--presets', 'P144p30fps16x9'],
    };
    const names = [...rtmpNames, 'pusher', 'hevc', 'garbage', 'longgop', 'sorenson', 'killed', 'disabled'];
    for (const name of names) streams[name] = await createStream(stack.vars, name, ...(ladders[name] ?? ['--presets', 'P144p30fps16x9']));
    pushSegments = await encodePushSegments(path.join(env.tmpDir, 'push'), 10);
    await encodeHevcSegment(path.join(env.tmpDir, 'hevc.ts'));
  });

  afterAll(async () => {
    for (const p of Object.values(publishers)) p.kill();
    await events?.close();
    await stack?.close();
    await env?.cleanup();
  });

  const sessionOf = async (name: string, index = 0): Promise<SessionEntity> =>
    waitFor(async () => (await sessionsOf(stack.db, streams[name].id))[index], { what: `session of ${name}` });

  it('takes three RTMP publishers and one HTTP pusher at once, refusing bad publishes and surviving garbage meanwhile', async () => {
    const started = Date.now();
    for (const name of rtmpNames) {
      publishers[name] = publishTestPattern(
        { output: rtmpUrl(stack, streams[name].streamKey), seconds: PUBLISH_SECONDS, width: 320, height: 180, gopSeconds: 2 },
        name,
      );
    }
    publishers.killed = publishTestPattern({ output: rtmpUrl(stack, streams.killed.streamKey), seconds: 8, width: 320, height: 180 }, 'killed');
    // Killed mid-segment: one second after its second segment closed (the cut at 4 s).
    const killing = (async () => {
      const session = await sessionOf('killed');
      const [, second] = await waitFor(async () => {
        const rows = await ledgerOf(stack.db, session.id);
        return rows.length >= 2 ? rows : null;
      }, { what: 'two segments of the killed publisher', intervalMs: 50 });
      await sleep(Math.max(0, second.ingestedAt + 1000 - Date.now()));
      publishers.killed.kill('SIGKILL');
    })();
    publishers.disabled = publishTestPattern({ output: rtmpUrl(stack, streams.disabled.streamKey), seconds: PUBLISH_SECONDS, width: 320, height: 180 }, 'disabled');
    // Disabled while it is live, 5 s in, whatever the other checks below take on a busy machine.
    const disabling = (async () => {
      await sleep(Math.max(0, started + 5000 - Date.now()));
      outcomes.disable = await cli(stack.vars, 'streams', 'disable', streams.disabled.id, '--json');
      outcomes.disabledExit = await waitFor(() => (publishers.disabled.running ? null : publishers.disabled.exited), {
        timeoutMs: 8000,
        what: 'the disabled stream publisher to be hung up on',
      });
      outcomes.republishDisabled = await publishTestPattern(
        { output: rtmpUrl(stack, streams.disabled.streamKey), seconds: 3, width: 320, height: 180 },
        'republish',
      ).exited;
    })();
    publishers.longgop = publishTestPattern(
      { output: rtmpUrl(stack, streams.longgop.streamKey), seconds: 8, width: 320, height: 180, gopSeconds: 10 },
      'longgop',
    );
    publishers.sorenson = publishSorenson(rtmpUrl(stack, streams.sorenson.streamKey), 4);

    // Garbage and half-open connections on both ports while the publishers run.
    const idle = [
      await rawConnect(stack.rtmpPort, Buffer.concat([Buffer.from([3]), randomBytes(700)])), // half handshake, left open
      await rawConnect(stack.ingest.port, Buffer.from('PUT /live/')), // half request line, left open
    ];
    (await rawConnect(stack.rtmpPort, randomBytes(8000))).destroy();
    (await rtmpHandshakeThenGarbage(stack.rtmpPort, randomBytes(8000))).destroy();
    (await rawConnect(stack.ingest.port, randomBytes(4000))).destroy();

    // HTTP push: paced like a live pusher, with one retried push in the middle.
    const pushUrl = (seq: number, key = streams.pusher.streamKey) => `${stack.ingest.url}/live/${key}/${seq}.ts`;
    const pushing = (async () => {
      const answers: number[] = [];
      for (const [seq, segment] of pushSegments.entries()) {
        const body = await readFile(segment.file);
        const headers = { 'Content-Duration': String(segment.durationMs), 'Content-Resolution': '320x180', 'Content-Type': 'video/mp2t' };
        const answer = await push(pushUrl(seq), body, headers);
        answers.push(answer.status);
        if (seq === 2) outcomes.retried = await push(pushUrl(seq), body, headers);
        await sleep(800);
      }
      return answers;
    })();

    await sleep(2500);
    // A second publish of a live key, and a key that does not exist.
    const second = publishTestPattern({ output: rtmpUrl(stack, streams.alpha.streamKey), seconds: 4, width: 320, height: 180 }, 'second');
    const wrongKey = randomBytes(32).toString('base64url');
    outcomes.wrongKey = wrongKey;
    const unknown = publishTestPattern({ output: rtmpUrl(stack, wrongKey), seconds: 4, width: 320, height: 180 }, 'unknown');
    outcomes.secondExit = await second.exited;
    outcomes.unknownExit = await unknown.exited;
    outcomes.secondStderr = second.tail();
    outcomes.unknownStderr = unknown.tail();

    // HTTP edge cases.
    const someSegment = await readFile(pushSegments[0].file);
    outcomes.hevc = await push(pushUrl(0, streams.hevc.streamKey), await readFile(path.join(env.tmpDir, 'hevc.ts')));
    outcomes.garbagePush = await push(pushUrl(0, streams.garbage.streamKey), randomBytes(50_000));
    outcomes.wrongKeyPush = await push(pushUrl(0, wrongKey), someSegment);
    outcomes.get = await push(pushUrl(0), Buffer.alloc(0), {}, 'GET');
    outcomes.mp4 = await push(`${stack.ingest.url}/live/${streams.pusher.streamKey}/1.mp4`, someSegment);
    outcomes.badDuration = await push(pushUrl(50), someSegment, { 'Content-Duration': '2.5s' });
    outcomes.tooLargeDeclared = await push(pushUrl(51), randomBytes(1_200_000));
    outcomes.tooLargeChunked = await fetch(pushUrl(52), {
      method: 'PUT',
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < 12; i++) controller.enqueue(randomBytes(100_000));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit).then(async (r) => ({ status: r.status, text: await r.text() }));

    await disabling;
    await killing;
    outcomes.pushAnswers = await pushing;
    for (const name of rtmpNames) outcomes[`${name}Exit`] = await publishers[name].exited;
    outcomes.longgopExit = await publishers.longgop.exited;
    outcomes.sorensonExit = await publishers.sorenson.exited;
    for (const socket of idle) socket.destroy();

    // The three publishers were unaffected by all of the above.
    for (const name of rtmpNames) expect(outcomes[`${name}Exit`], `${name}: ${publishers[name].tail()}`).toEqual({ code: 0, signal: null });
    expect(outcomes.pushAnswers).toEqual(pushSegments.map(() => 200));
    expect((await fetch(`${stack.ingest.url}/health/live`)).status).toBe(200);
    expect(stack.ingest.proc.running).toBe(true);
  });

  it('cuts each RTMP publish into complete 2 s segments with no holes, stored, decodable, recorded and enqueued', async () => {
    for (const name of rtmpNames) {
      const session = await waitFor(async () => {
        const s = await sessionOf(name);
        return s.state === 'ended' ? s : null;
      }, { what: `${name} session ended` });
      expect(session).toMatchObject({ state: 'ended', stateReason: null, protocol: 'rtmp', targetDuration: 2 });
      expect(session.source).toMatchObject({ videoCodec: 'h264', width: 320, height: 180, keyframeIntervalSec: 2, fps: 30, audioCodec: 'aac' });
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
        if (i > 0) expect(Math.abs(row.startedAt! - rows[i - 1].startedAt! - rows[i - 1].durationMs), `${name} seq ${row.seq} start`).toBeLessThanOrEqual(5);
        if (i < rows.length - 1) expect(row.ingestedAt - (row.startedAt! + row.durationMs), `${name} seq ${row.seq} closed`).toBeGreaterThanOrEqual(-200);
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
    const alpha = await sessionOf('alpha');
    const alphaLp = await getLivepeerStream(stack.livepeer, alpha.livepeerStreamId!);
    expect(alphaLp.status).toBe(200);
    expect(alphaLp.body.presets).toEqual(['P240p30fps16x9', 'P144p30fps16x9']);
    expect(Object.keys(alpha.renditions!)).toEqual(['P240p30fps16x9', 'P144p30fps16x9']);
    expect(alpha.profiles!.map((p) => [p.name, p.width, p.height])).toEqual([
      ['P240p30fps16x9', 426, 240],
      ['P144p30fps16x9', 256, 144],
    ]);
    expect(alpha.livepeerStreamKey).toBe(alphaLp.body.streamKey);

    const bravo = await sessionOf('bravo');
    const bravoLp = await getLivepeerStream(stack.livepeer, bravo.livepeerStreamId!);
    expect(bravoLp.body.profiles).toEqual([{ name: 'low', width: 256, height: 144, bitrate: 300_000, fps: 30 }]);
    expect(bravo.renditions).toEqual({ low: `/stream/${bravo.livepeerStreamId}/low.m3u8` });
  });

  it('announces start, live and end of every session on the session-events channel', async () => {
    for (const name of rtmpNames) {
      const session = await sessionOf(name);
      const types = events.events.filter((e) => e.sessionId === session.id).map((e) => e.type);
      expect(types).toEqual(['session-started', 'session-live', 'session-ended']);
      expect(events.events.find((e) => e.sessionId === session.id)?.streamId).toBe(streams[name].id);
    }
  });

  it('ingests HTTP pushes with broadcaster-push semantics and ends the session when pushes stop', async () => {
    const session = await waitFor(async () => {
      const s = await sessionOf('pusher');
      return s.state === 'ended' ? s : null;
    }, { what: 'push session ended after the idle timeout' });
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

  it('answers bad pushes with go-livepeer status codes and text/plain reasons', () => {
    const expectAnswer = (name: string, status: number, text: RegExp) => {
      const answer = outcomes[name] as { status: number; text: string; contentType?: string | null };
      expect(answer.status, name).toBe(status);
      expect(answer.text, name).toMatch(text);
      if (answer.contentType !== undefined) expect(answer.contentType, name).toMatch(/^text\/plain/);
    };
    expectAnswer('hevc', 422, /^video codec HEVC \(H\.265\) is not supported: Livepeer transcodes H\.264/);
    expectAnswer('garbagePush', 422, /^segment cannot be probed as MPEG-TS/);
    expectAnswer('wrongKeyPush', 403, /^stream key refused$/);
    expectAnswer('get', 405, /^method GET not allowed/);
    expectAnswer('mp4', 400, /unsupported segment extension \.mp4/);
    expectAnswer('badDuration', 400, /Content-Duration "2.5s" is not an integer number of milliseconds/);
    expectAnswer('tooLargeDeclared', 413, /^segment larger than 1000000 bytes/);
    expectAnswer('tooLargeChunked', 413, /^segment larger than 1000000 bytes/);
  });

  it('refuses an HEVC push and a garbage push as failed sessions with their reason', async () => {
    expect(await sessionOf('hevc')).toMatchObject({
      state: 'failed',
      stateReason: expect.stringMatching(/^input refused: video codec HEVC \(H\.265\) is not supported/),
      source: expect.objectContaining({ videoCodec: 'hevc' }),
    });
    expect(await sessionOf('garbage')).toMatchObject({ state: 'failed', stateReason: expect.stringMatching(/^input refused: segment cannot be probed/) });
  });

  it('refuses an unknown key and a second publish of a live key, logging neither key', () => {
    // refused before NetStream.Publish.Start, with the reason in an RTMP error status ffmpeg prints
    expect((outcomes.unknownExit as { code: number }).code).not.toBe(0);
    expect(outcomes.unknownStderr).toContain('Server error: stream key refused');
    expect((outcomes.secondExit as { code: number }).code).not.toBe(0);
    expect(outcomes.secondStderr).toContain('Server error: stream is already being published');
    const refusals = stack.lines.filter((l) => l.includes('"event":"publish-refused"'));
    expect(refusals.some((l) => l.includes('"protocol":"rtmp"') && l.includes('"reason":"unknown-key"'))).toBe(true);
    expect(refusals.some((l) => l.includes('"protocol":"rtmp"') && l.includes('"reason":"already-publishing"'))).toBe(true);
    expect(refusals.some((l) => l.includes('"protocol":"http"') && l.includes('"reason":"unknown-key"'))).toBe(true);
    const keys = [...Object.values(streams).map((s) => s.streamKey), outcomes.wrongKey as string];
    for (const line of stack.lines) for (const key of keys) expect(line.includes(key), `a log line shows a stream key: ${line.slice(0, 200)}`).toBe(false);
  });

  it('refuses a 10 s GOP and a non-H.264 RTMP input with their messages, as failed sessions', async () => {
    expect((outcomes.longgopExit as { code: number }).code).not.toBe(0);
    expect(publishers.longgop.tail()).toContain('Server error: input refused: keyframe interval more than 4 s exceeds the maximum of 4 s');
    const longgop = await waitFor(async () => ((await sessionOf('longgop')).state === 'failed' ? sessionOf('longgop') : null), { what: 'longgop failed' });
    expect(longgop.stateReason).toBe(
      "input refused: keyframe interval more than 4 s exceeds the maximum of 4 s: set the encoder's keyframe interval (GOP) to 4 s or less",
    );
    expect(await ledgerOf(stack.db, longgop.id)).toEqual([]);
    expect(longgop.livepeerStreamId).toBeNull();

    expect((outcomes.sorensonExit as { code: number }).code).not.toBe(0);
    const sorenson = await sessionOf('sorenson');
    expect(sorenson).toMatchObject({ state: 'failed', source: expect.objectContaining({ videoCodec: 'flv1' }) });
    expect(sorenson.stateReason).toMatch(/^input refused: video codec Sorenson H\.263 \(flv1\) is not supported: Livepeer transcodes H\.264/);
    expect(stack.lines.some((l) => l.includes('"event":"input-refused"') && l.includes('keyframe interval more than 4 s'))).toBe(true);
  });

  it('ends the session of a publisher killed mid-segment cleanly, with its partial last segment', async () => {
    const session = await waitFor(async () => {
      const s = await sessionOf('killed');
      return s.state === 'ended' ? s : null;
    }, { what: 'killed publisher session ended' });
    expect(session.stateReason).toBeNull();
    const rows = await ledgerOf(stack.db, session.id);
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i));
    expect(rows.every((r) => r.state === 'queued')).toBe(true);
    // killed about 1 s after the cut at 4 s: full segments, then the partial one that was being cut
    expect(rows.length).toBeGreaterThanOrEqual(3);
    expect(rows.slice(0, -1).every((r) => Math.abs(r.durationMs - 2000) <= 100)).toBe(true);
    const last = rows[rows.length - 1];
    expect(last.durationMs).toBeGreaterThan(300);
    expect(last.durationMs).toBeLessThan(1900);
    const decoded = await decodeSegment(await downloadSegment(stack.storage, last.objectKey, path.join(env.tmpDir, 'check')));
    expect(decoded.frames).toBeGreaterThan(0);
  });

  it('ends a live publish when its stream is disabled, and refuses it afterwards', async () => {
    expect((outcomes.disable as { code: number }).code).toBe(0);
    expect(JSON.parse((outcomes.disable as { stdout: string }).stdout)).toMatchObject({ enabled: false, announced: true });
    expect((outcomes.disabledExit as { code: number }).code).not.toBe(0);
    const [first, ...rest] = await sessionsOf(stack.db, streams.disabled.id);
    expect(rest).toEqual([]);
    const ended = await waitFor(async () => ((await sessionOf('disabled')).state === 'ended' ? sessionOf('disabled') : null), { what: 'disabled ended' });
    expect(ended.id).toBe(first.id);
    expect(ended.stateReason).toBe('stream disabled');
    expect((await ledgerOf(stack.db, ended.id)).every((r) => r.state === 'queued')).toBe(true);
    expect((outcomes.republishDisabled as { code: number }).code).not.toBe(0);
    expect(stack.lines.some((l) => l.includes('"event":"publish-refused"') && l.includes('"reason":"stream-disabled"'))).toBe(true);
  });

  it('reports segments, latency, live publishes and refusals on /metrics', async () => {
    const text = await (await fetch(`${stack.ingest.url}/metrics`)).text();
    const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? NaN);
    expect(value(/^ingest_segments_enqueued_total\{[^}]*protocol="rtmp"[^}]*\} (\d+)/m)).toBeGreaterThanOrEqual(15);
    expect(value(/^ingest_segments_enqueued_total\{[^}]*protocol="http"[^}]*\} (\d+)/m)).toBe(pushSegments.length);
    expect(value(/^ingest_latency_seconds_count\{[^}]*\} (\d+)/m)).toBeGreaterThanOrEqual(20);
    expect(value(/^ingest_active_publishes\{[^}]*protocol="rtmp"[^}]*\} (\d+)/m)).toBe(0);
    expect(value(/^ingest_publish_refusals_total\{[^}]*reason="unknown-key"[^}]*\} (\d+)/m)).toBeGreaterThanOrEqual(1);
    expect(value(/^ingest_publish_refusals_total\{[^}]*protocol="rtmp"[^}]*reason="input"[^}]*\} (\d+)/m)).toBe(2);
  });
});
