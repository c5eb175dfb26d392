import { parseMasterPlaylist, parseMediaPlaylist } from '@lib/hls';
import { BroadcasterPushError, multipartBoundary } from '@lib/livepeer';
import type { SyntheticSegment } from '@lib/media';
import { RunningApp, pushSegment, waitFor } from '@lib/testing';
import os from 'node:os';
import {
  HookServer,
  clearFaults,
  makeSegments,
  parseWithDicer,
  pushCounts,
  setFaults,
  startBroadcaster,
  startHookServer,
  status,
  text,
} from './helpers';

const PROFILES = [
  { name: 'low', width: 256, height: 144, bitrate: 200_000, fps: 0 },
  { name: 'mid', width: 426, height: 240, bitrate: 400_000, fps: 0 },
];

/** Protocol tests of a broadcaster process (docs/livepeer-protocol.md §2.2, §2.3, §5.1). */
describe('livepeer-local broadcaster', () => {
  let hook: HookServer;
  let b: RunningApp;
  let segments: SyntheticSegment[];
  let cleanupMedia: () => Promise<void>;
  let url: string;
  let nextId = 0;
  /** a fresh manifest id the hook accepts with PROFILES */
  const newId = () => `m${++nextId}-${Date.now()}`;

  beforeAll(async () => {
    hook = await startHookServer();
    hook.answer = ({ url: pushUrl }) => {
      const id = /\/live\/([^/]+)\//.exec(pushUrl)?.[1] ?? '';
      return { status: 200, body: { manifestID: id, presets: [], profiles: PROFILES } };
    };
    ({ segments, cleanup: cleanupMedia } = await makeSegments(4));
    b = await startBroadcaster({
      LIVEPEER_LOCAL_HOOK_URL: hook.url,
      LIVEPEER_LOCAL_TRANSCODE_MODE: 'passthrough',
      LIVEPEER_LOCAL_MAX_SESSIONS: 100,
      LIVEPEER_LOCAL_MAX_SEGMENT_BYTES: 1_000_000,
      LIVEPEER_LOCAL_BROADCASTER_REGION: 'test-region',
    });
    url = b.url;
  });
  afterAll(async () => {
    await b?.proc.stop();
    await hook?.close();
    await cleanupMedia?.();
  });
  afterEach(() => clearFaults(url));

  const put = (path: string, body: Buffer | string | undefined, headers: Record<string, string> = {}, method = 'PUT') =>
    text(`${url}${path}`, { method, body, headers: { 'Content-Type': 'video/mp2t', 'Content-Duration': '2000', ...headers } });

  describe('push and go-livepeer HLS', () => {
    it('answers 200 with an empty body and serves master, media playlists and segments', async () => {
      const id = newId();
      const pushed = await put(`/live/${id}/7.ts`, segments[0].bytes, { 'Content-Resolution': '640x360', 'Content-Duration': '1875' });
      expect(pushed).toMatchObject({ status: 200, body: '' });

      const master = await text(`${url}/stream/${id}.m3u8`);
      expect(master.status).toBe(200);
      expect(master.headers.get('content-type')).toBe('application/x-mpegURL');
      expect(master.headers.get('access-control-allow-origin')).toBe('*');
      expect(master.headers.get('cache-control')).toBe('max-age=5');
      expect(master.body).toBe(
        [
          '#EXTM3U',
          '#EXT-X-VERSION:3',
          '#EXT-X-STREAM-INF:PROGRAM-ID=0,BANDWIDTH=4000000,RESOLUTION=640x360',
          `${id}/source.m3u8`,
          '#EXT-X-STREAM-INF:PROGRAM-ID=0,BANDWIDTH=200000,RESOLUTION=256x144',
          `${id}/low.m3u8`,
          '#EXT-X-STREAM-INF:PROGRAM-ID=0,BANDWIDTH=400000,RESOLUTION=426x240',
          `${id}/mid.m3u8`,
          '',
        ].join('\n'),
      );
      for (const rendition of ['source', 'low', 'mid']) {
        const media = await text(`${url}/stream/${id}/${rendition}.m3u8`);
        expect(media.headers.get('content-type')).toBe('application/x-mpegURL');
        expect(media.body).toBe(
          [
            '#EXTM3U',
            '#EXT-X-VERSION:3',
            '#EXT-X-MEDIA-SEQUENCE:0',
            '#EXT-X-TARGETDURATION:2',
            '#EXTINF:1.875,',
            `/stream/${id}/${rendition}/7.ts`,
            '',
          ].join('\n'),
        );
        const segment = await fetch(`${url}/stream/${id}/${rendition}/7.ts`);
        expect(segment.status).toBe(200);
        expect(segment.headers.get('content-type')).toBe('video/mp2t');
        expect(Buffer.from(await segment.arrayBuffer()).equals(segments[0].bytes)).toBe(true); // passthrough mode
      }
      for (const missing of [`/stream/nope.m3u8`, `/stream/${id}/720p.m3u8`, `/stream/${id}/low/8.ts`, `/stream/${id}/low/x.ts`]) {
        expect(await text(`${url}${missing}`)).toMatchObject({ status: 404, body: 'ErrNotFound\n' });
      }
    });

    it('keeps a 6-segment window, sorts late arrivals in, counts dropped segments in MEDIA-SEQUENCE', async () => {
      const id = newId();
      for (const seq of [100, 101, 103, 102, 104, 105, 106, 107]) {
        expect((await put(`/live/${id}/${seq}.ts`, segments[seq % 2].bytes)).status).toBe(200);
      }
      const media = parseMediaPlaylist((await text(`${url}/stream/${id}/low.m3u8`)).body);
      expect(media.mediaSequence).toBe(2);
      expect(media.targetDuration).toBe(2);
      expect(media.segments.map((s) => s.uri)).toEqual([102, 103, 104, 105, 106, 107].map((s) => `/stream/${id}/low/${s}.ts`));
    });

    it('assumes 2000 ms without Content-Duration and takes the source resolution from the first push only', async () => {
      const id = newId();
      await put(`/live/${id}/1.ts`, segments[0].bytes, { 'Content-Duration': '' });
      await put(`/live/${id}/2.ts`, segments[1].bytes, { 'Content-Resolution': '1920x1080' });
      const media = parseMediaPlaylist((await text(`${url}/stream/${id}/source.m3u8`)).body);
      expect(media.segments[0].duration).toBe(2);
      const master = parseMasterPlaylist((await text(`${url}/stream/${id}.m3u8`)).body);
      expect(master.variants[0].resolution).toBeUndefined();
    });
  });

  describe('multipart answers', () => {
    it('returns one part per profile, in profile order, read back with dicer and with the client', async () => {
      const id = newId();
      const response = await fetch(`${url}/live/${id}/3.ts`, {
        method: 'PUT',
        body: segments[0].bytes,
        headers: { Accept: 'multipart/mixed', 'Content-Duration': '2000' },
      });
      expect(response.status).toBe(200);
      const boundary = multipartBoundary(response.headers.get('content-type'));
      expect(boundary).toBeTruthy();
      const parts = await parseWithDicer(Buffer.from(await response.arrayBuffer()), boundary!);
      expect(parts.map((p) => p.headers['rendition-name'])).toEqual(['low', 'mid']); // no source part
      parts.forEach((part, i) => {
        const name = PROFILES[i].name;
        expect(part.headers['content-type']).toBe(`video/mp2t; name="${name}_3.ts"`);
        expect(part.headers['content-disposition']).toBe(`attachment; filename="${name}_3.ts"`);
        expect(Number(part.headers['content-length'])).toBe(part.body.length);
        expect(part.body.equals(segments[0].bytes)).toBe(true);
      });

      const result = await pushSegment({
        broadcasterUrl: url,
        manifestId: id,
        seq: 4,
        body: segments[1].bytes,
        durationMs: 2000,
        multipart: true,
      });
      expect(result.renditions.map((r) => [r.name, r.filename, r.contentType])).toEqual([
        ['low', 'low_4.ts', 'video/mp2t; name="low_4.ts"'],
        ['mid', 'mid_4.ts', 'video/mp2t; name="mid_4.ts"'],
      ]);
      expect(result.renditions[1].data.equals(segments[1].bytes)).toBe(true);
    });

    it('sends parts only for exactly "multipart/mixed"', async () => {
      const answer = await put(`/live/${newId()}/1.ts`, segments[0].bytes, { Accept: 'multipart/mixed, */*' });
      expect(answer).toMatchObject({ status: 200, body: '' });
    });
  });

  describe('retried pushes', () => {
    it('answers a repeated sequence number again without listing it twice', async () => {
      const id = newId();
      const first = await pushSegment({ broadcasterUrl: url, manifestId: id, seq: 9, body: segments[0].bytes, multipart: true });
      const again = await pushSegment({ broadcasterUrl: url, manifestId: id, seq: 9, body: segments[0].bytes, multipart: true });
      expect(again.renditions.map((r) => r.data.length)).toEqual(first.renditions.map((r) => r.data.length));
      await Promise.all([0, 1, 2].map(() => pushSegment({ broadcasterUrl: url, manifestId: id, seq: 10, body: segments[1].bytes })));
      for (const rendition of ['source', 'low', 'mid']) {
        const media = parseMediaPlaylist((await text(`${url}/stream/${id}/${rendition}.m3u8`)).body);
        expect(media.segments.map((s) => s.uri)).toEqual([`/stream/${id}/${rendition}/9.ts`, `/stream/${id}/${rendition}/10.ts`]);
      }
      expect((await pushCounts(url)).byManifest[id]).toEqual({ '9': 2, '10': 3 });
      expect(hook.calls.filter((c) => c.url.includes(`/live/${id}/`))).toHaveLength(1); // one session, one webhook call
    });
  });

  describe('auth webhook', () => {
    it('sends {url} of the first push; a refusal answers 403 "Could not create stream ID"', async () => {
      const id = newId();
      const previous = hook.answer;
      hook.answer = () => ({ status: 404, body: { errors: ['not found'] } });
      try {
        const refused = await put(`/live/${id}/5.ts`, segments[0].bytes);
        expect(refused).toMatchObject({ status: 403, body: 'Could not create stream ID\n' });
        expect(refused.headers.get('content-type')).toBe('text/plain; charset=utf-8');
        const call = hook.calls.at(-1)!;
        expect(new URL(call.url).pathname).toBe(`/live/${id}/5.ts`);
        hook.answer = () => ({ status: 200, body: { manifestId: id, profiles: [{ name: 'x', width: 1, height: 1, bitrate: 1, fps: 0 }] } });
        expect((await put(`/live/${id}/5.ts`, segments[0].bytes)).status).toBe(403); // an invalid ladder is refused too
      } finally {
        hook.answer = previous;
      }
    });

    it('lets the webhook rename the manifest and choose presets', async () => {
      const external = newId();
      const previous = hook.answer;
      hook.answer = () => ({ status: 200, body: { manifestId: `${external}-renamed`, presets: ['P144p30fps16x9'], profiles: [] } });
      try {
        expect((await put(`/live/${external}/1.ts`, segments[0].bytes)).status).toBe(200);
      } finally {
        hook.answer = previous;
      }
      const master = parseMasterPlaylist((await text(`${url}/stream/${external}-renamed.m3u8`)).body);
      expect(master.variants.map((v) => v.uri)).toEqual([`${external}-renamed/source.m3u8`, `${external}-renamed/P144p30fps16x9.m3u8`]);
      expect(master.variants[1].resolution).toEqual({ width: 256, height: 144 });
      expect((await text(`${url}/stream/${external}.m3u8`)).status).toBe(404);
      expect((await put(`/live/${external}/2.ts`, segments[1].bytes)).status).toBe(200); // same session, no new webhook call
    });
  });

  describe('status codes', () => {
    it('405 for other methods, 400 for a path without manifest or .ts file', async () => {
      expect(await text(`${url}/live/${newId()}/1.ts`)).toMatchObject({ status: 405, body: 'Method not allowed\n' });
      expect((await put(`/live/${newId()}/1.ts`, segments[0].bytes, {}, 'DELETE')).status).toBe(405);
      expect((await put(`/live/${newId()}/1.ts`, segments[0].bytes, {}, 'POST')).status).toBe(200);
      for (const path of ['/live', '/live/', `/live/${newId()}`, `/live/${newId()}/1.mp4`, `/live/a/b/1.ts`]) {
        const answer = await put(path, segments[0].bytes);
        expect({ path, status: answer.status }).toEqual({ path, status: 400 });
        expect(answer.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      }
    });

    it('500 for a body over the size cap and for a duration outside 0..300 s', async () => {
      const big = await put(`/live/${newId()}/1.ts`, Buffer.alloc(1_200_000, 0x47));
      expect(big.status).toBe(500);
      expect(big.body).toMatch(/^input bigger than max buffer size/);
      expect((await put(`/live/${newId()}/1.ts`, segments[0].bytes, { 'Content-Duration': '300001' })).status).toBe(500);
      expect((await put(`/live/${newId()}/1.ts`, segments[0].bytes, { 'Content-Duration': '-5' })).status).toBe(500);
    });

    it('422 for an empty segment', async () => {
      expect((await put(`/live/${newId()}/1.ts`, Buffer.alloc(0))).status).toBe(422);
    });
  });

  describe('fault injection (admin endpoint)', () => {
    it('fails the next N pushes with the chosen status, then recovers', async () => {
      const id = newId();
      await setFaults(url, { failNext: 2, failStatus: 503, failBody: 'No sessions available' });
      const statuses = [];
      for (let seq = 0; seq < 3; seq++) statuses.push((await put(`/live/${id}/${seq}.ts`, segments[0].bytes)).status);
      expect(statuses).toEqual([503, 503, 200]);
      const err = await setFaults(url, { failNext: 1, failStatus: 500 }).then(() =>
        pushSegment({ broadcasterUrl: url, manifestId: id, seq: 5, body: segments[0].bytes }).catch((e) => e),
      );
      expect(err).toBeInstanceOf(BroadcasterPushError);
      expect(err).toMatchObject({ status: 500, retryable: true });
      expect(err.body).toBe('No sessions available\n'); // the body set before is kept
    });

    it('delays pushes', async () => {
      await setFaults(url, { delayMs: 600 });
      const started = Date.now();
      expect((await put(`/live/${newId()}/1.ts`, segments[0].bytes)).status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(600);
    });

    it('hangs a push without answering, and resets a connection', async () => {
      await setFaults(url, { hangNext: 1, resetNext: 1 });
      const reset = await pushSegment({ broadcasterUrl: url, manifestId: newId(), seq: 1, body: segments[0].bytes }).catch((e) => e);
      expect(reset).toBeInstanceOf(BroadcasterPushError);
      expect(reset.status).toBeUndefined();
      expect(reset.retryable).toBe(true);
      const started = Date.now();
      const hung = await pushSegment({ broadcasterUrl: url, manifestId: newId(), seq: 1, body: segments[0].bytes, timeoutMs: 1500 }).catch(
        (e) => e,
      );
      expect(hung).toBeInstanceOf(BroadcasterPushError);
      expect(hung.message).toMatch(/timed out after 1500 ms/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
      expect((await put(`/live/${newId()}/1.ts`, segments[0].bytes)).status).toBe(200);
    });

    it('marks itself unhealthy through /status', async () => {
      expect((await text(`${url}/status`)).status).toBe(200);
      await setFaults(url, { unhealthy: true });
      const sick = await text(`${url}/status`);
      expect(sick.status).toBe(503);
      expect(JSON.parse(sick.body).healthy).toBe(false);
      await clearFaults(url);
      expect((await text(`${url}/status`)).status).toBe(200);
    });

    it('rejects unknown faults with 400', async () => {
      const answer = await text(`${url}/admin/faults`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{"explode":true}',
      });
      expect(answer.status).toBe(400);
      expect(answer.body).toContain('unknown fault');
    });

    it('counts every push received and resets the counters on DELETE', async () => {
      const before = await pushCounts(url);
      await setFaults(url, { failNext: 1 });
      const id = newId();
      await put(`/live/${id}/1.ts`, segments[0].bytes);
      await put(`/live/${id}/1.ts`, segments[0].bytes);
      const after = await pushCounts(url);
      expect(after.received - before.received).toBe(2);
      expect(after.failed - before.failed).toBe(1);
      expect(after.succeeded - before.succeeded).toBe(1);
      expect(after.byManifest[id]).toEqual({ '1': 2 });
      expect((await text(`${url}/admin/pushes`, { method: 'DELETE' })).status).toBe(204);
      expect((await pushCounts(url)).received).toBe(0);
    });

    const external = Object.values(os.networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
    it.skipIf(!external)('answers the admin endpoint only on loopback', async () => {
      const open = await startBroadcaster({ BIND_HOST: '0.0.0.0' });
      try {
        const remote = await text(`http://${external}:${open.port}/admin/pushes`);
        expect(remote.status).toBe(403);
        expect((await text(`http://${external}:${open.port}/status`)).status).toBe(200);
        expect((await text(`http://127.0.0.1:${open.port}/admin/pushes`)).status).toBe(200);
      } finally {
        await open.proc.stop();
      }
    });
  });

  it('reports its transcode mode (load-test modes labelled) and region', async () => {
    expect(await status(url)).toMatchObject({ transcodeMode: 'passthrough', loadTestMode: true, region: 'test-region', healthy: true });
    expect(b.proc.tail(400)).toMatch(/"event":"transcode-mode","mode":"passthrough","loadTestMode":true/);
  });
});

describe('livepeer-local broadcaster limits, expiry and start options', () => {
  let segments: SyntheticSegment[];
  let cleanupMedia: () => Promise<void>;
  beforeAll(async () => ({ segments, cleanup: cleanupMedia } = await makeSegments(4)));
  afterAll(() => cleanupMedia?.());

  it('transcodes with ffmpeg into the default presets without a webhook, 422 on media it cannot read, expires idle sessions', async () => {
    const b = await startBroadcaster({ LIVEPEER_LOCAL_SESSION_TIMEOUT_MS: 1500, LIVEPEER_LOCAL_MAX_SESSIONS: 2 });
    try {
      expect(await status(b.url)).toMatchObject({ transcodeMode: 'ffmpeg', loadTestMode: false });
      const push = (id: string, seq: number, body: Buffer) =>
        text(`${b.url}/live/${id}/${seq}.ts`, { method: 'PUT', body, headers: { 'Content-Duration': '2000' } });

      const garbage = await push('bad', 0, Buffer.from('this is not an MPEG-TS segment'.repeat(50)));
      expect(garbage.status).toBe(422);
      expect(garbage.headers.get('content-type')).toBe('text/plain; charset=utf-8');

      expect((await push('good', 0, segments[0].bytes)).status).toBe(200);
      const master = parseMasterPlaylist((await text(`${b.url}/stream/good.m3u8`)).body);
      expect(master.variants.map((v) => v.uri)).toEqual(['good/source.m3u8', 'good/P240p30fps4x3.m3u8', 'good/P360p30fps16x9.m3u8']);

      // "bad" and "good" hold both sessions: a third is over the limit.
      const third = await push('third', 0, segments[0].bytes);
      expect(third.status).toBe(500);
      expect(third.body).toMatch(/Too many sessions/);

      // No push for longer than the timeout: the session and its playlists go away.
      await waitFor(async () => (await text(`${b.url}/stream/good.m3u8`)).status === 404, { timeoutMs: 5000, what: 'session expiry' });
      expect((await text(`${b.url}/stream/good/P240p30fps4x3/0.ts`)).status).toBe(404);
      expect((await push('third', 0, segments[0].bytes)).status).toBe(200);
    } finally {
      await b.proc.stop();
    }
  });

  it('starts with faults from LIVEPEER_LOCAL_FAULTS and --faults', async () => {
    const b = await startBroadcaster({ LIVEPEER_LOCAL_FAULTS: 'failNext=1,failStatus=503', LIVEPEER_LOCAL_TRANSCODE_MODE: 'copy' }, [
      '--faults',
      'unhealthy=true',
    ]);
    try {
      expect((await text(`${b.url}/status`)).status).toBe(503);
      const push = () => text(`${b.url}/live/s/1.ts`, { method: 'PUT', body: segments[0].bytes });
      expect((await push()).status).toBe(503);
      expect((await push()).status).toBe(200);
      expect(await status(b.url)).toMatchObject({ transcodeMode: 'copy', loadTestMode: true });
    } finally {
      await b.proc.stop();
    }
  });
});
