import { freePort } from '@lib/runtime';
import type { SyntheticSegment } from '@lib/media';
import { pushSegment, spawnApp, waitFor, type RunningApp } from '@lib/testing';
import { LivepeerLocal, makeSegments, startLivepeerLocal, text } from './helpers';

/**
 * LIVEPEER_LOCAL_MODE=broadcasters: livepeer-local's broadcasters behind an outside Livepeer API
 * (here another livepeer-local, API only, that lists them): they ask that API's hook, the
 * supervisor does not replace it with its own, and no local API answers.
 */
describe('livepeer-local, broadcasters only behind an outside API', () => {
  let outside: LivepeerLocal;
  let local: RunningApp;
  let broadcaster: string;
  let segments: SyntheticSegment[];
  let cleanupMedia: () => Promise<void>;

  beforeAll(async () => {
    ({ segments, cleanup: cleanupMedia } = await makeSegments(2));
    const port = await freePort();
    broadcaster = `http://127.0.0.1:${port}`;
    outside = await startLivepeerLocal({ LIVEPEER_LOCAL_BROADCASTERS: 0, LIVEPEER_LOCAL_BROADCASTER_URLS: broadcaster });
    local = await spawnApp('livepeer-local', {
      ...process.env,
      LIVEPEER_LOCAL_PORT: '0',
      LIVEPEER_LOCAL_MODE: 'broadcasters',
      LIVEPEER_LOCAL_BROADCASTERS: '1',
      LIVEPEER_LOCAL_BROADCASTER_PORT: String(port),
      LIVEPEER_LOCAL_TRANSCODE_MODE: 'passthrough',
      LIVEPEER_LOCAL_HOOK_URL: `${outside.apiUrl}/stream/hook`,
    });
  });
  afterAll(async () => {
    await local?.proc.stop();
    await outside?.stop();
    await cleanupMedia?.();
  });

  it("transcodes the outside API's streams with the ladder its hook gives", async () => {
    await waitFor(async () => (await outside.client.listBroadcasters()).some((b) => b.address === broadcaster), {
      timeoutMs: 20_000,
      what: 'the outside API to see the broadcaster healthy',
    });
    const stream = await outside.client.createStream({
      name: 'outside',
      profiles: [{ name: 'from-outside', width: 320, height: 180, bitrate: 400_000, fps: 30 }],
    });
    await pushSegment({ broadcasterUrl: broadcaster, manifestId: stream.id, seq: 0, body: segments[0].bytes, durationMs: 2000 });
    expect((await outside.client.getStream(stream.id)).isActive).toBe(true); // the outside hook was asked
    const master = await text(`${broadcaster}/stream/${stream.id}.m3u8`);
    expect(master.body).toContain('from-outside.m3u8');
  });

  it('serves no Livepeer API of its own, only health', async () => {
    expect((await text(`${local.url}/api/broadcaster`)).status).toBe(404);
    expect((await text(`${local.url}/api/stream`, { method: 'POST' })).status).toBe(404);
    expect((await text(`${local.url}/health/ready`)).status).toBe(200);
  });
});
