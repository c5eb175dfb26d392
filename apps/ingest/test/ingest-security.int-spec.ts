import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { TestEnv, publishTestPattern, waitFor } from '@lib/testing';
import {
  CreatedStream,
  IngestStack,
  createStream,
  encodePushSegments,
  push,
  rtmpHandshakeThenGarbage,
  rtmpUrl,
  startIngestStack,
} from './ingest-harness';
import { closedBy, rtmpChunk, rtmpPublishByHand } from './rtmp-raw-client';

const FAILURE_LIMIT = 3;
const PUBLISH_TIMEOUT_MS = 2000;

/** A push from a given local address (127.0.0.x), to show that limits are per client address. */
function pushFrom(localAddress: string, url: string, body: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'PUT', localAddress, headers: { 'Content-Length': body.length } }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

/**
 * Ingest under abuse: pushes with any content type, the stream key kept out of the logs in
 * every spelling of the push path, a pushed playlist that must not make the probe read
 * local files, the per-connection RTMP limits before and after the publish, the time limit
 * to publish, and the per-address limit on unknown stream keys.
 */
describe('ingest: hardening against hostile publishers', () => {
  let env: TestEnv;
  let stack: IngestStack;
  let stream: CreatedStream;
  let rtmpStream: CreatedStream;
  let segments: { file: string; durationMs: number }[];

  beforeAll(async () => {
    env = await TestEnv.create({ name: 'ingest-security' });
    stack = await startIngestStack(env, {
      LOG_LEVEL: 'debug', // every request is logged, so the redaction is seen working
      AUTH_FAILURE_LIMIT: FAILURE_LIMIT,
      INGEST_RTMP_PUBLISH_TIMEOUT_MS: PUBLISH_TIMEOUT_MS,
      INGEST_PUSH_IDLE_TIMEOUT_MS: 30_000,
    });
    stream = await createStream(stack.vars, 'pusher', '--presets', 'P144p30fps16x9');
    rtmpStream = await createStream(stack.vars, 'rtmp', '--presets', 'P144p30fps16x9');
    segments = await encodePushSegments(path.join(env.tmpDir, 'push'), 6);
  });

  afterAll(async () => {
    await stack?.close();
    await env?.cleanup();
  });

  const segment = async (seq: number) => readFile(segments[seq % segments.length].file);
  const durationOf = (seq: number) => String(segments[seq % segments.length].durationMs);

  it('accepts a pushed segment whatever its Content-Type', async () => {
    const types = ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=xyz'];
    const answers = [];
    for (const [seq, type] of types.entries()) {
      const answer = await push(`${stack.ingest.url}/live/${stream.streamKey}/${seq}.ts`, await segment(seq), {
        'Content-Type': type,
        'Content-Duration': durationOf(seq),
      });
      answers.push({ type, status: answer.status, text: answer.text });
    }
    expect(answers).toEqual(types.map((type) => ({ type, status: 200, text: '' })));
  });

  it('keeps the stream key out of the logs in every spelling of the push path', async () => {
    const spellings = ['/LIVE/', '/Live/', '//live/', '/live//'];
    const statuses: number[] = [];
    for (const [i, prefix] of spellings.entries()) {
      const seq = 10 + i;
      statuses.push(
        (
          await push(`${stack.ingest.url}${prefix}${stream.streamKey}/${seq}.ts`, await segment(seq), {
            'Content-Duration': durationOf(seq),
          })
        ).status,
      );
    }
    // Routing ignores case (the key was taken); doubled slashes are not routed (404), but logged all the same.
    expect(statuses).toEqual([200, 200, 404, 404]);
    // Each request was logged (redacted) before the key is looked for.
    const logged = await waitFor(
      () => {
        const lines = stack.lines.filter((line) => spellings.some((prefix) => line.includes(`"url":"${prefix}[redacted]/`)));
        return lines.length >= spellings.length ? lines : null;
      },
      { what: 'the pushes in the request log' },
    );
    expect(logged.length).toBeGreaterThanOrEqual(spellings.length);
    expect(stack.lines.filter((line) => line.includes(stream.streamKey))).toEqual([]);
  });

  it('probes only the pushed bytes: a playlist naming /etc/passwd gets a 422 that names no path', async () => {
    const playlist = Buffer.from(
      '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\n/etc/passwd\n#EXTINF:2.0,\nfile:///etc/hostname\n#EXT-X-ENDLIST\n',
    );
    const answer = await push(`${stack.ingest.url}/live/${stream.streamKey}/20.ts`, playlist, {
      'Content-Type': 'application/vnd.apple.mpegurl',
    });
    expect(answer.status).toBe(422);
    expect(answer.text).toMatch(/^segment cannot be probed as MPEG-TS/);
    expect(answer.text).not.toMatch(/\/|passwd|root:/);
  });

  describe('RTMP connection limits', () => {
    const limitLogged = (limit: string, since: number) =>
      waitFor(
        () => stack.lines.slice(since).find((line) => line.includes('"event":"rtmp-limit"') && line.includes(`"limit":"${limit}"`)) ?? null,
        {
          what: `the ${limit} limit in the log`,
        },
      );

    it('closes a connection that opens more chunk streams than allowed', async () => {
      const since = stack.lines.length;
      const socket = await rtmpHandshakeThenGarbage(stack.rtmpPort, Buffer.alloc(0));
      // Unfinished video messages on 40 chunk streams (one 128-byte chunk each): each would keep its buffer.
      for (let cid = 3; cid < 43; cid++) socket.write(rtmpChunk({ cid, length: 1000, type: 9 }, randomBytes(128)));
      await closedBy(socket);
      expect(await limitLogged('chunk-streams', since)).toMatch(/more than 16 chunk streams/);
    });

    it('closes a connection whose unfinished messages would buffer more than the pre-publish budget', async () => {
      const since = stack.lines.length;
      const socket = await rtmpHandshakeThenGarbage(stack.rtmpPort, Buffer.alloc(0));
      for (let cid = 3; cid < 13; cid++) socket.write(rtmpChunk({ cid, length: 60_000, type: 9 }, randomBytes(128)));
      await closedBy(socket);
      expect(await limitLogged('buffered-bytes', since)).toMatch(/limit 524288/);
    });

    it('closes a connection that announces a 16 MB AMF command, before reading or decoding it', async () => {
      const since = stack.lines.length;
      const socket = await rtmpHandshakeThenGarbage(stack.rtmpPort, Buffer.alloc(0));
      socket.write(
        rtmpChunk({ cid: 3, length: 16_000_000, type: 20 }, Buffer.concat([Buffer.from([0x0a, 0x00, 0xf4, 0x24, 0x00]), randomBytes(100)])),
      );
      await closedBy(socket);
      expect(await limitLogged('command-size', since)).toMatch(/AMF message of 16000000 bytes \(limit 65536\)/);
    });

    it('closes a connection that sets a chunk size over the limit', async () => {
      const since = stack.lines.length;
      const socket = await rtmpHandshakeThenGarbage(stack.rtmpPort, Buffer.alloc(0));
      const size = Buffer.alloc(4);
      size.writeUInt32BE(0x7fffffff);
      socket.write(rtmpChunk({ cid: 2, length: 4, type: 1 }, size));
      await closedBy(socket);
      expect(await limitLogged('chunk-size', since)).toMatch(/chunk size 2147483647/);
    });

    it('closes connections that do not publish in time', async () => {
      const since = stack.lines.length;
      const sockets = await Promise.all([0, 1, 2].map(() => rtmpHandshakeThenGarbage(stack.rtmpPort, Buffer.alloc(0))));
      await Promise.all(sockets.map(closedBy));
      const timeouts = await waitFor(
        () => {
          const lines = stack.lines.slice(since).filter((line) => line.includes('"limit":"publish-timeout"'));
          return lines.length >= 3 ? lines : null;
        },
        { what: 'three publish timeouts in the log' },
      );
      expect(timeouts).toHaveLength(3);
    });

    it('bounds messages after the publish too, and still takes a real encoder', async () => {
      const since = stack.lines.length;
      const socket = await rtmpPublishByHand(stack.rtmpPort, rtmpStream.streamKey);
      socket.write(rtmpChunk({ cid: 6, length: 9_000_000, type: 9, streamId: 1 }, randomBytes(128)));
      await closedBy(socket);
      expect(await limitLogged('message-size', since)).toMatch(/message of 9000000 bytes \(limit 8388608\)/);
      // The hand-made publish has ended (its lock released); a real encoder publishes within the limits.
      const publisher = await waitFor(
        async () => {
          const p = publishTestPattern({ output: rtmpUrl(stack, rtmpStream.streamKey), seconds: 3, width: 320, height: 180 }, 'encoder');
          const exit = await p.exited;
          return exit.code === 0 ? exit : null;
        },
        { what: 'a real encoder to publish', timeoutMs: 60_000 },
      );
      expect(publisher).toEqual({ code: 0, signal: null });
      expect((await fetch(`${stack.ingest.url}/health/live`)).status).toBe(200);
    });
  });

  // Last: it locks 127.0.0.1 out for the rest of the window.
  it('refuses an address after too many unknown stream keys, on both protocols, and no other address', async () => {
    const wrongKey = randomBytes(32).toString('base64url');
    const body = await segment(0);
    const answers = [];
    for (let i = 0; i < FAILURE_LIMIT; i++) answers.push((await push(`${stack.ingest.url}/live/${wrongKey}/${i}.ts`, body)).status);
    expect(answers).toEqual(Array(FAILURE_LIMIT).fill(403));

    const limited = await fetch(`${stack.ingest.url}/live/${wrongKey}/9.ts`, { method: 'PUT', body });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.text()).toMatch(/too many unknown stream keys/);
    // The right key from the same address waits too (it is not even looked up) ...
    expect((await push(`${stack.ingest.url}/live/${stream.streamKey}/30.ts`, body)).status).toBe(429);
    const rtmp = publishTestPattern({ output: rtmpUrl(stack, rtmpStream.streamKey), seconds: 2, width: 320, height: 180 }, 'limited');
    expect((await rtmp.exited).code).not.toBe(0);
    expect(stack.lines.some((line) => line.includes('"reason":"too-many-failures"') && line.includes('"protocol":"rtmp"'))).toBe(true);
    // ... while another address pushes with it as usual.
    const other = await pushFrom('127.0.0.2', `${stack.ingest.url}/live/${stream.streamKey}/31.ts`, body);
    expect(other).toEqual({ status: 200, text: '' });
  });
});
