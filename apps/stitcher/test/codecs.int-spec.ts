import { probeMedia, type SyntheticSegment } from '@lib/media';
import { TestEnv, spawnApp, waitFor, type RunningApp } from '@lib/testing';
import { PlaylistWatcher, RelayFixture, stitcherEnv, type LivepeerLocal, StitcherScene } from './helpers';

/**
 * The master playlist describes what was really received: livepeer-local transcodes with ffmpeg
 * (the one test here with real encoding) a Baseline and a High profile rendition, and their
 * CODECS, RESOLUTION and BANDWIDTH must agree with ffprobe of the republished segments, although
 * the stitcher reads them from the segments' own headers (no ffprobe of its own).
 */
describe('master playlist attributes from transcoded renditions', () => {
  let env: TestEnv;
  let lp: LivepeerLocal;
  let fixture: RelayFixture;
  let stitcher: RunningApp;
  let segments: SyntheticSegment[];
  let scene: StitcherScene;
  let watcher: PlaylistWatcher;

  beforeAll(async () => {
    scene = await StitcherScene.start('stitcher-codecs', { mediaSeconds: 4, mode: 'ffmpeg' });
    ({ env, lp, fixture, segments } = scene);
    stitcher = await spawnApp('stitcher', stitcherEnv(env, lp));
  });

  afterAll(async () => {
    watcher?.stop();
    await stitcher?.proc.stop();
    await scene?.close();
  });

  it('gives a Baseline and a High profile rendition different CODECS, as ffprobe reads them', async () => {
    const stream = await fixture.createStream('profiles', {
      profiles: [
        { name: 'base', width: 256, height: 144, bitrate: 150_000, fps: 0, profile: 'H264Baseline' },
        { name: 'high', width: 256, height: 144, bitrate: 150_000, fps: 0, profile: 'H264High' },
      ],
    });
    const publish = await fixture.startSession(stream);
    watcher = new PlaylistWatcher(stitcher.url, stream.playbackId, 2);
    watcher.start(200);
    for (let seq = 0; seq < 2; seq++) await fixture.publishSegment(publish, seq, segments[seq]);
    await waitFor(() => watcher.master?.variants.length === 3, { timeoutMs: 60_000, what: 'three variants in the master playlist' });

    const variants = new Map(watcher.master!.variants.map((v) => [v.uri.split('/')[0], v]));
    expect(variants.get('base')!.codecs).not.toBe(variants.get('high')!.codecs);
    for (const [name, variant] of variants) {
      const served = Buffer.from(await (await fetch(`${stitcher.url}/hls/${stream.playbackId}/${name}/0.ts`)).arrayBuffer());
      const { video, audio } = await probeMedia(served);
      const profileIdc = { 'Constrained Baseline': 0x42, Baseline: 0x42, Main: 0x4d, High: 0x64 }[video!.profile!];
      expect(variant.codecs, name).toMatch(/^avc1\.[0-9a-f]{6}(,mp4a\.40\.2)?$/);
      expect(parseInt(variant.codecs!.slice(5, 7), 16), name).toBe(profileIdc);
      expect(parseInt(variant.codecs!.slice(9, 11), 16), name).toBe(video!.level);
      expect(variant.codecs!.includes('mp4a.40.2'), name).toBe(audio?.codec === 'aac');
      expect(variant.resolution, name).toEqual({ width: video!.width, height: video!.height });
      expect(variant.bandwidth, name).toBeGreaterThanOrEqual(Math.floor((served.length * 8) / 2));
    }
    expect(variants.get('base')!.codecs!.startsWith('avc1.42')).toBe(true);
    expect(variants.get('high')!.codecs!.startsWith('avc1.64')).toBe(true);
    const metrics = await (await fetch(`${stitcher.url}/metrics`)).text();
    expect(metrics).toMatch(/stitcher_variant_descriptions_total\{[^}]*how="in-process"[^}]*\} 3/);
    expect(metrics).not.toMatch(/stitcher_variant_descriptions_total\{[^}]*how="ffprobe"/);
    expect(watcher.violations()).toEqual([]);
  });
});
