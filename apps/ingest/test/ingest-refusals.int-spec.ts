import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ManagedProcess } from '@lib/runtime';
import { TestEnv, publishTestPattern, sleep, waitFor } from '@lib/testing';
import {
  CreatedStream,
  IngestStack,
  awaitSession,
  cli,
  createStream,
  decodeSegment,
  downloadSegment,
  encodeHevcSegment,
  encodePushSegments,
  ledgerOf,
  publishSorenson,
  push,
  rtmpUrl,
  scrapeMetrics,
  sessionsOf,
  startIngestStack,
} from './ingest-harness';

/**
 * Publishes ingest refuses or cuts off: each case makes its own streams and publishes
 * against the file's one ingest, so any case runs alone. The concurrent happy path is
 * ingest-concurrent.int-spec.ts.
 */
describe('ingest: refused and cut-off publishes', () => {
  let env: TestEnv;
  let stack: IngestStack;
  /** Every stream key this file made up or created: none may appear in ingest's output. */
  const keys: string[] = [];
  /** Every publisher a case started, killed at the end whatever the case left running. */
  const publishers: ManagedProcess[] = [];

  beforeAll(async () => {
    env = await TestEnv.create({ name: 'ingest-refusals' });
    stack = await startIngestStack(env, { INGEST_PUSH_IDLE_TIMEOUT_MS: 3000, INGEST_MAX_PUSH_BYTES: 1_000_000 });
  });

  afterAll(async () => {
    for (const p of publishers) p.kill();
    await stack?.close();
    await env?.cleanup();
  });

  const newStream = async (name: string): Promise<CreatedStream> => {
    const stream = await createStream(stack.vars, name, '--presets', 'P144p30fps16x9');
    keys.push(stream.streamKey);
    return stream;
  };
  const wrongKey = (): string => {
    const key = randomBytes(32).toString('base64url');
    keys.push(key);
    return key;
  };
  /** An ffmpeg test-pattern publish (320x180) to `key`. */
  const publish = (label: string, key: string, seconds: number, gopSeconds?: number): ManagedProcess => {
    const publisher = publishTestPattern({ output: rtmpUrl(stack, key), seconds, width: 320, height: 180, gopSeconds }, label);
    publishers.push(publisher);
    return publisher;
  };
  const refusalLines = () => stack.lines.filter((l) => l.includes('"event":"publish-refused"'));

  it('refuses an unknown key and a second publish of a live key, logging neither key', async () => {
    const live = await newStream('live');
    const first = publish('first', live.streamKey, 6);
    await awaitSession(stack.db, live, { state: 'live', what: 'first publish live' });
    const second = publish('second', live.streamKey, 4);
    const unknown = publish('unknown', wrongKey(), 4);
    const [secondExit, unknownExit] = await Promise.all([second.exited, unknown.exited]);

    // refused before NetStream.Publish.Start, with the reason in an RTMP error status ffmpeg prints
    expect(unknownExit.code).not.toBe(0);
    expect(unknown.tail()).toContain('Server error: stream key refused');
    expect(secondExit.code).not.toBe(0);
    expect(second.tail()).toContain('Server error: stream is already being published');
    // ... and the publish that holds the key goes on
    expect(await first.exited, first.tail()).toEqual({ code: 0, signal: null });
    expect(refusalLines().some((l) => l.includes('"protocol":"rtmp"') && l.includes('"reason":"unknown-key"'))).toBe(true);
    expect(refusalLines().some((l) => l.includes('"protocol":"rtmp"') && l.includes('"reason":"already-publishing"'))).toBe(true);
    const value = await scrapeMetrics(stack);
    expect(value(/^ingest_publish_refusals_total\{[^}]*reason="unknown-key"[^}]*\} (\d+)/m)).toBeGreaterThanOrEqual(1);
    for (const line of stack.lines)
      for (const key of keys) expect(line.includes(key), `a log line shows a stream key: ${line.slice(0, 200)}`).toBe(false);
  });

  it('refuses a 10 s GOP and a non-H.264 RTMP input with their messages, as failed sessions', async () => {
    const inputRefusals = /^ingest_publish_refusals_total\{[^}]*protocol="rtmp"[^}]*reason="input"[^}]*\} (\d+)/m;
    const refusedBefore = (await scrapeMetrics(stack))(inputRefusals) || 0;
    const [longgopStream, sorensonStream] = [await newStream('longgop'), await newStream('sorenson')];
    const longgopPublisher = publish('longgop', longgopStream.streamKey, 8, 10);
    const sorensonPublisher = publishSorenson(rtmpUrl(stack, sorensonStream.streamKey), 4);
    publishers.push(sorensonPublisher);
    const [longgopExit, sorensonExit] = await Promise.all([longgopPublisher.exited, sorensonPublisher.exited]);

    expect(longgopExit.code).not.toBe(0);
    expect(longgopPublisher.tail()).toContain('Server error: input refused: keyframe interval more than 4 s exceeds the maximum of 4 s');
    const longgop = await awaitSession(stack.db, longgopStream, { state: 'failed', what: 'longgop failed' });
    expect(longgop.stateReason).toBe(
      "input refused: keyframe interval more than 4 s exceeds the maximum of 4 s: set the encoder's keyframe interval (GOP) to 4 s or less",
    );
    expect(await ledgerOf(stack.db, longgop.id)).toEqual([]);
    expect(longgop.livepeerStreamId).toBeNull();

    expect(sorensonExit.code).not.toBe(0);
    const sorenson = await awaitSession(stack.db, sorensonStream, { state: 'failed', what: 'sorenson failed' });
    expect(sorenson).toMatchObject({ state: 'failed', source: expect.objectContaining({ videoCodec: 'flv1' }) });
    expect(sorenson.stateReason).toMatch(
      /^input refused: video codec Sorenson H\.263 \(flv1\) is not supported: Livepeer transcodes H\.264/,
    );
    expect(stack.lines.some((l) => l.includes('"event":"input-refused"') && l.includes('keyframe interval more than 4 s'))).toBe(true);
    expect((await scrapeMetrics(stack))(inputRefusals) - refusedBefore).toBe(2);
  });

  it('ends the session of a publisher killed mid-segment cleanly, with its partial last segment', async () => {
    const stream = await newStream('killed');
    const publisher = publish('killed', stream.streamKey, 8);
    // Killed mid-segment: one second after its second segment closed (the cut at 4 s).
    const started = await awaitSession(stack.db, stream);
    const [, secondRow] = await waitFor(
      async () => {
        const rows = await ledgerOf(stack.db, started.id);
        return rows.length >= 2 ? rows : null;
      },
      { what: 'two segments of the killed publisher', intervalMs: 50 },
    );
    await sleep(Math.max(0, secondRow.ingestedAt + 1000 - Date.now()));
    publisher.kill('SIGKILL');

    const session = await awaitSession(stack.db, stream, { state: 'ended', what: 'killed publisher session ended' });
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
    const stream = await newStream('disabled');
    const publisher = publish('disabled', stream.streamKey, 10);
    // Disabled while it is live and has cut a segment, whatever that takes on a busy machine.
    const live = await awaitSession(stack.db, stream, { state: 'live', what: 'disabled stream live' });
    await waitFor(async () => (await ledgerOf(stack.db, live.id)).length > 0, { what: 'a segment of the stream to disable' });
    const disable = await cli(stack.vars, 'streams', 'disable', stream.id, '--json');
    expect(disable.code).toBe(0);
    expect(JSON.parse(disable.stdout)).toMatchObject({ enabled: false, announced: true });
    const disabledExit = await waitFor(() => (publisher.running ? null : publisher.exited), {
      timeoutMs: 8000,
      what: 'the disabled stream publisher to be hung up on',
    });
    expect(disabledExit.code).not.toBe(0);
    const [first, ...rest] = await sessionsOf(stack.db, stream.id);
    expect(rest).toEqual([]);
    const ended = await awaitSession(stack.db, stream, { state: 'ended', what: 'disabled ended' });
    expect(ended.id).toBe(first.id);
    expect(ended.stateReason).toBe('stream disabled');
    expect((await ledgerOf(stack.db, ended.id)).every((r) => r.state === 'queued')).toBe(true);
    expect((await publish('republish', stream.streamKey, 3).exited).code).not.toBe(0);
    expect(refusalLines().some((l) => l.includes('"reason":"stream-disabled"'))).toBe(true);
  });

  describe('bad HTTP pushes', () => {
    const answers: Record<string, { status: number; text: string; contentType?: string | null }> = {};
    const streams: Record<string, CreatedStream> = {};

    // The bad pushes go to a key that is being pushed to, between two good pushes.
    beforeAll(async () => {
      for (const name of ['pusher', 'hevc', 'garbage']) streams[name] = await newStream(name);
      const [good, next] = await encodePushSegments(path.join(env.tmpDir, 'push'), 4);
      const hevcFile = path.join(env.tmpDir, 'hevc.ts');
      await encodeHevcSegment(hevcFile);
      const pushUrl = (seq: number, key = streams.pusher.streamKey) => `${stack.ingest.url}/live/${key}/${seq}.ts`;
      const someSegment = await readFile(good.file);

      answers.firstGood = await push(pushUrl(0), someSegment, { 'Content-Duration': String(good.durationMs) });
      answers.hevc = await push(pushUrl(0, streams.hevc.streamKey), await readFile(hevcFile));
      answers.garbagePush = await push(pushUrl(0, streams.garbage.streamKey), randomBytes(50_000));
      answers.wrongKeyPush = await push(pushUrl(0, wrongKey()), someSegment);
      answers.get = await push(pushUrl(0), Buffer.alloc(0), {}, 'GET');
      answers.mp4 = await push(`${stack.ingest.url}/live/${streams.pusher.streamKey}/1.mp4`, someSegment);
      answers.badDuration = await push(pushUrl(50), someSegment, { 'Content-Duration': '2.5s' });
      answers.tooLargeDeclared = await push(pushUrl(51), randomBytes(1_200_000));
      answers.tooLargeChunked = await fetch(pushUrl(52), {
        method: 'PUT',
        body: new ReadableStream({
          start(controller) {
            for (let i = 0; i < 12; i++) controller.enqueue(randomBytes(100_000));
            controller.close();
          },
        }),
        duplex: 'half',
      } as RequestInit).then(async (r) => ({ status: r.status, text: await r.text() }));
      answers.nextGood = await push(pushUrl(1), await readFile(next.file), { 'Content-Duration': String(next.durationMs) });
    });

    it('answers bad pushes with go-livepeer status codes and text/plain reasons', async () => {
      const expectAnswer = (name: string, status: number, text: RegExp) => {
        const answer = answers[name];
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
      // the push the bad ones were aimed at went on
      expect([answers.firstGood.status, answers.nextGood.status]).toEqual([200, 200]);
      expect(refusalLines().some((l) => l.includes('"protocol":"http"') && l.includes('"reason":"unknown-key"'))).toBe(true);
      for (const line of stack.lines)
        for (const key of keys) expect(line.includes(key), `a log line shows a stream key: ${line.slice(0, 200)}`).toBe(false);
    });

    it('refuses an HEVC push and a garbage push as failed sessions with their reason', async () => {
      expect(await awaitSession(stack.db, streams.hevc)).toMatchObject({
        state: 'failed',
        stateReason: expect.stringMatching(/^input refused: video codec HEVC \(H\.265\) is not supported/),
        source: expect.objectContaining({ videoCodec: 'hevc' }),
      });
      expect(await awaitSession(stack.db, streams.garbage)).toMatchObject({
        state: 'failed',
        stateReason: expect.stringMatching(/^input refused: segment cannot be probed/),
      });
    });
  });
});
