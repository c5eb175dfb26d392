import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { SyntheticSegment } from '@lib/media';
import { probeMedia } from '@lib/media';
import { LivepeerNotFoundError } from '@lib/livepeer';
import { objectKeys } from '@lib/storage';
import { TestEnv, spawnApp, waitFor, type RunningApp } from '@lib/testing';
import { PlaylistWatcher, RelayFixture, stitcherEnv, type LivepeerLocal, type Publish, StitcherScene } from './helpers';

const run = promisify(execFile);

/**
 * The republishing core against the real livepeer-local (one broadcaster, copy mode): segments
 * pushed as the worker would push them come back through the amalgamated playlists and are
 * republished; every version of every playlist the relay serves passes the HLS rules validator.
 */
describe('stitcher republishing from livepeer-local', () => {
  let env: TestEnv;
  let lp: LivepeerLocal;
  let fixture: RelayFixture;
  let stitcher: RunningApp;
  let segments: SyntheticSegment[];
  let scene: StitcherScene;
  let publish: Publish;
  let watcher: PlaylistWatcher;
  const SEGMENTS = 8;

  beforeAll(async () => {
    scene = await StitcherScene.start('stitcher-republish', { mediaSeconds: 8, mode: 'copy' });
    ({ env, lp, fixture, segments } = scene);
    stitcher = await spawnApp('stitcher', stitcherEnv(env, lp, { STITCHER_UNLISTED_DELETE_MIN_MS: 0 }));
    const stream = await fixture.createStream('republish', {
      profiles: [
        { name: 'low', width: 256, height: 144, bitrate: 200_000, fps: 0 },
        { name: 'mid', width: 320, height: 180, bitrate: 300_000, fps: 0 },
      ],
    });
    publish = await fixture.startSession(stream);
    watcher = new PlaylistWatcher(stitcher.url, stream.playbackId, 2);
    watcher.start(100);
  });

  afterAll(async () => {
    watcher?.stop();
    await stitcher?.proc.stop();
    await scene?.close();
  });

  it('republishes every pushed segment in every rendition and the source, in order', async () => {
    for (let seq = 0; seq < SEGMENTS; seq++) {
      await fixture.publishSegment(publish, seq, segments[seq % segments.length]);
      await new Promise((r) => setTimeout(r, 300));
    }
    await waitFor(() => ['low', 'mid', 'source'].every((v) => watcher.media.get(v)?.listed.has(SEGMENTS - 1)), {
      timeoutMs: 30_000,
      what: 'the last segment in every variant',
    });
    for (const variant of ['low', 'mid', 'source']) {
      expect([...watcher.media.get(variant)!.listed].sort((a, b) => a - b)).toEqual([...Array(SEGMENTS).keys()]);
    }
    const rows = await fixture.renditionRows.find({ where: { sessionId: publish.session.id } });
    expect(rows).toHaveLength(SEGMENTS * 3);
    expect(rows.every((r) => r.state === 'republished' && r.msn === r.seq)).toBe(true);
    const ledger = await fixture.ledger.counts(publish.session.id);
    expect(ledger.byState).toEqual({ republished: SEGMENTS });
    // The window (4 segments) has slid: segment 0 is no longer listed but still downloadable.
    expect(watcher.media.get('low')!.last).not.toMatch(/^0\.ts$/m);
    expect(await fixture.storage.stat(objectKeys.hlsSegment(publish.stream.playbackId, 'low', 0))).not.toBeNull();
  });

  it('describes each variant in the master playlist from what it received', async () => {
    const variants = watcher.master!.variants;
    expect(variants.map((v) => v.uri).sort()).toEqual(['low/index.m3u8', 'mid/index.m3u8', 'source/index.m3u8']);
    for (const variant of variants) {
      expect(variant.resolution).toEqual({ width: 320, height: 180 }); // copy mode keeps the source size
      expect(variant.codecs).toMatch(/^avc1\.[0-9a-f]{6},mp4a\.40\.2$/);
      expect(variant.bandwidth).toBeGreaterThan(100_000);
    }
    // Copy mode: every variant is the source's H.264, whose profile and level ffprobe reads here.
    const { video } = await probeMedia(segments[0].bytes);
    const profileIdc = { High: '64', Main: '4d', 'Constrained Baseline': '42', Baseline: '42' }[video!.profile!];
    for (const variant of variants) {
      expect(variant.codecs!.slice(5, 7)).toBe(profileIdc);
      expect(parseInt(variant.codecs!.slice(9, 11), 16)).toBe(video!.level);
    }
  });

  it('serves playlists and segments with the content types, cache lifetimes and CORS of the rules', async () => {
    const base = `${stitcher.url}/hls/${publish.stream.playbackId}`;
    const master = await fetch(`${base}/index.m3u8`);
    expect(master.headers.get('content-type')).toMatch(/^application\/vnd\.apple\.mpegurl/);
    expect(master.headers.get('access-control-allow-origin')).toBe('*');
    const media = await fetch(`${base}/low/index.m3u8`);
    expect(media.headers.get('content-type')).toMatch(/^application\/vnd\.apple\.mpegurl/);
    expect(media.headers.get('cache-control')).toBe('public, max-age=1');
    const segment = await fetch(`${base}/low/${SEGMENTS - 1}.ts`);
    expect(segment.status).toBe(200);
    expect(segment.headers.get('content-type')).toBe('video/mp2t');
    expect(segment.headers.get('cache-control')).toMatch(/max-age=\d{4,}/);
    expect(segment.headers.get('access-control-allow-origin')).toBe('*');
    const bytes = Buffer.from(await segment.arrayBuffer());
    expect((await probeMedia(bytes)).video?.codec).toBe('h264');
    // The object store holds the same playlists, for a CDN to serve straight from the bucket.
    expect((await fixture.storage.getBuffer(objectKeys.hlsMedia(publish.stream.playbackId, 'low'))).toString()).toBe(await media.text());
  });

  it('cannot be led outside the stream', async () => {
    const { playbackId } = publish.stream;
    for (const path of [
      `/hls/${playbackId}/../index.m3u8`,
      `/hls/${playbackId}/%2e%2e/index.m3u8`,
      `/hls/${playbackId}/low/..%2f..%2fsegments%2f${publish.session.id}%2f0.ts`,
      `/hls/..%2fsegments/low/0.ts`,
      `/hls/${playbackId}/low/0.m3u8`,
      `/hls/${playbackId}/low/-1.ts`,
      `/hls/nope/index.m3u8`,
    ]) {
      const answer = await fetch(`${stitcher.url}${path}`);
      expect(answer.status, path).toBe(404);
    }
    const preflight = await fetch(`${stitcher.url}/hls/${playbackId}/index.m3u8`, { method: 'OPTIONS' });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('ends every playlist with ENDLIST after the session ends, and deletes the Livepeer stream', async () => {
    await fixture.endSession(publish);
    await waitFor(() => watcher.ended(), { timeoutMs: 20_000, what: 'ENDLIST in every variant' });
    await waitFor(async () => (await fixture.sessions.findOneBy({ id: publish.session.id }))?.playlistEndedAt, {
      what: 'the session closed',
    });
    await waitFor(
      async () => {
        try {
          await lp.client.getStream(publish.livepeer.id);
          return false;
        } catch (err) {
          return err instanceof LivepeerNotFoundError;
        }
      },
      { timeoutMs: 10_000, what: 'the Livepeer stream deleted' },
    );
    await watcher.poll();
    watcher.stop();
    expect(watcher.errors).toEqual([]);
    expect(watcher.violations()).toEqual([]);
    expect([...watcher.media.values()].every((w) => w.validator.versionCount >= SEGMENTS)).toBe(true);
  });

  it('reads in ffmpeg from the master playlist once ended', async () => {
    const { stderr } = await run(
      'ffmpeg',
      [
        '-nostdin',
        '-hide_banner',
        '-loglevel',
        'error',
        '-i',
        `${stitcher.url}/hls/${publish.stream.playbackId}/index.m3u8`,
        '-map',
        '0',
        '-c',
        'copy',
        '-f',
        'null',
        '-',
      ],
      { timeout: 60_000, killSignal: 'SIGKILL' },
    );
    expect(stderr).not.toMatch(/Invalid data|404|403/);
  });

  it('deletes unlisted segments twice a playlist duration after unlisting them, never listed ones', async () => {
    // Window 4 x target duration 2 s: (4 + 1) x 2 s x 2 = 20 s after segment 0 left the playlist.
    const key = (variant: string, msn: number) => objectKeys.hlsSegment(publish.stream.playbackId, variant, msn);
    await waitFor(async () => (await fixture.storage.stat(key('source', 0))) === null, { timeoutMs: 40_000, what: 'segment 0 deleted' });
    for (const variant of ['low', 'mid', 'source']) {
      expect(await fixture.storage.stat(key(variant, 0)), variant).toBeNull();
      // The ended playlist still lists the last four: they stay.
      for (let msn = SEGMENTS - 4; msn < SEGMENTS; msn++)
        expect(await fixture.storage.stat(key(variant, msn)), `${variant} ${msn}`).not.toBeNull();
    }
  });
});
