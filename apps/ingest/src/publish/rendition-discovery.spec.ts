import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LivepeerApiClient } from '@lib/livepeer';
import { discoverRenditions } from './rendition-discovery';

const MASTER_HEAD = '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-STREAM-INF:PROGRAM-ID=0,BANDWIDTH=4000000,RESOLUTION=640x360\nlp/source.m3u8\n';
const RENDITION = '#EXT-X-STREAM-INF:PROGRAM-ID=0,BANDWIDTH=600000,RESOLUTION=320x240\nlp/P240p30fps4x3.m3u8\n';

/** A playback host answering `/stream/lp.m3u8` with the given answers in turn (the last one repeats). */
async function playbackHost(answers: { status: number; body?: string }[]) {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    const answer = answers[Math.min(requests.length - 1, answers.length - 1)];
    res.writeHead(answer.status, { 'Content-Type': 'application/x-mpegurl' }).end(answer.body ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, close: () => server.close() };
}

describe('discoverRenditions (the API stored no ladder)', () => {
  let close: (() => void) | undefined;
  afterEach(() => close?.());
  const client = new LivepeerApiClient({ apiUrl: 'http://127.0.0.1:1/api', apiKey: 'k', timeoutMs: 2000 });

  it('reads the master playlist until the broadcasters list a rendition', async () => {
    const host = await playbackHost([{ status: 404 }, { status: 200, body: MASTER_HEAD }, { status: 200, body: MASTER_HEAD + RENDITION }]);
    close = host.close;
    const found = await discoverRenditions(client, host.url, 'lp', new AbortController().signal, 10_000);
    expect(found).toEqual({ renditions: { P240p30fps4x3: '/stream/lp/P240p30fps4x3.m3u8' }, source: 'master-playlist' });
    expect(host.requests).toEqual(['/stream/lp.m3u8', '/stream/lp.m3u8', '/stream/lp.m3u8']);
  });

  it('says why there are none once the time is up', async () => {
    const host = await playbackHost([{ status: 200, body: MASTER_HEAD }]);
    close = host.close;
    const found = await discoverRenditions(client, host.url, 'lp', new AbortController().signal, 0);
    expect(found.renditions).toBeNull();
    expect(found.problem).toBe(
      `not transcoding: the Livepeer API stored no ladder and its master playlist ${host.url}/stream/lp.m3u8 names no rendition (it lists only the source)`,
    );
  });
});
