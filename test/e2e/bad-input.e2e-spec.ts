import http from 'node:http';
import net from 'node:net';
import { Pipeline, checkOutcome, type CreatedStream } from './support/pipeline';
import { waitFor } from '@lib/testing';

/**
 * Bad input thrown at a running system while a good stream is live: each gets a clear
 * error, every process stays up, and the good stream is untouched (no drop, valid
 * playlists). The apps' own tests cover each input in detail; this checks them together.
 */
describe('bad input next to a live stream', () => {
  let pipeline: Pipeline;
  let good: CreatedStream;

  beforeAll(async () => {
    pipeline = await Pipeline.start({ name: 'e2e-bad-input', transcodeMode: 'copy' });
  });
  afterAll(() => pipeline?.stop());

  it('answers each with a clear error and leaves the live stream and every process intact', async () => {
    good = await pipeline.createStream('good');
    const collector = pipeline.watch(good);
    const live = { from: Date.now(), to: 0 };
    const publisher = pipeline.publish(good, 24);
    await waitFor(async () => (await pipeline.ingestedSeq(good)) >= 2, { timeoutMs: 60_000, what: 'the good stream live' });

    const rtmp = new URL(pipeline.system.urls.rtmp.replace('rtmp:', 'http:'));
    const ingestHttp = pipeline.system.urls.ingestHttp;

    // Garbage and a half handshake on the RTMP port.
    await sendAndClose(Number(rtmp.port), Buffer.from('GET / HTTP/1.1\r\n\r\n\x00\xff\xfe garbage'));
    await sendAndClose(Number(rtmp.port), Buffer.concat([Buffer.from([3]), Buffer.alloc(700, 1)]));

    // A publish with a wrong key is refused by the RTMP server.
    const wrongKey = pipeline.publish({ ...good, streamKey: 'not-a-key' }, 5, 'wrong-key');
    expect((await wrongKey.exited).code).not.toBe(0);

    // A disabled stream's key is refused too.
    const disabled = await pipeline.createStream('disabled');
    await pipeline.admin(`/api/streams/${disabled.id}/disable`, { method: 'POST' });
    const disabledPublish = pipeline.publish(disabled, 5, 'disabled-key');
    expect((await disabledPublish.exited).code).not.toBe(0);

    // HTTP push: unknown key, garbage body, a push over the size cap.
    const unknown = await fetch(`${ingestHttp}/live/not-a-key/0.ts`, { method: 'PUT', body: Buffer.alloc(1000) });
    expect(unknown.status).toBe(403);
    expect(await unknown.text()).not.toContain('not-a-key');
    const pushStream = await pipeline.createStream('push');
    const garbage = await fetch(`${ingestHttp}/live/${pushStream.streamKey}/0.ts`, {
      method: 'PUT',
      headers: { 'content-duration': '2000' },
      body: Buffer.from('this is not MPEG-TS'.repeat(100)),
    });
    expect(garbage.status).toBeGreaterThanOrEqual(400);
    expect(garbage.status).toBeLessThan(500);
    // Declares 512 MiB: refused from the header, before any of the body is read.
    expect(await declaredPushStatus(`${ingestHttp}/live/${pushStream.streamKey}/1.ts`, 512 * 1024 * 1024)).toBe(413);

    // Admin API: an invalid ladder names the field; no token and a wrong token are refused.
    const invalid = await fetch(`${pipeline.stitcher}/api/streams`, {
      method: 'POST',
      headers: { authorization: 'Bearer pipeline-admin-token', 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bad ladder', ladder: { profiles: [{ name: 'tiny', width: 10, height: 360, bitrate: 100, fps: 30 }] } }),
    });
    expect(invalid.status).toBe(400);
    expect(JSON.stringify(await invalid.json())).toContain('profiles[0].width');
    expect((await fetch(`${pipeline.stitcher}/api/streams`)).status).toBe(401);
    expect((await fetch(`${pipeline.stitcher}/api/streams`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);

    await publisher.exited;
    live.to = Date.now();
    await collector.untilEnded();
    await checkOutcome(pipeline, good, collector, { maxDrops: 0, liveWindows: [live], stallFree: true });
    for (const [name, proc] of pipeline.system.processes) expect(proc.running, `${name} still running`).toBe(true);
  });
});

/** Status of a PUT that declares `length` bytes but sends only a few (the server must not wait for them). */
function declaredPushStatus(url: string, length: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'PUT', headers: { 'content-length': length, 'content-duration': 2000 } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    req.on('error', reject);
    req.write(Buffer.alloc(1024));
  });
}

/** Opens a TCP connection, writes the bytes, and closes it without waiting for an answer. */
function sendAndClose(port: number, bytes: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' }, () => {
      socket.write(bytes);
      setTimeout(() => socket.destroy(), 300);
    });
    socket.on('close', () => resolve());
    socket.on('error', () => resolve());
  });
}
