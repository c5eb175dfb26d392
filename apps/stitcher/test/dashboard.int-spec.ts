import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { PRESETS } from '@lib/livepeer';
import type { SyntheticSegment } from '@lib/media';
import { repoRoot } from '@lib/runtime';
import { TestEnv, launchChromium, spawnApp, waitFor, type RunningApp } from '@lib/testing';
import { ADMIN_TOKEN, RelayFixture, stitcherEnv, type LivepeerLocal, type Publish, StitcherScene } from './helpers';

const OUTPUT = path.join(repoRoot, 'test-output');

/**
 * The dashboard in headless Chromium (Debian's, never a downloaded one): sign in with the token,
 * create a stream, publish to it (segments pushed as ingest and worker would, through
 * livepeer-local) and watch it play in the page's hls.js player, live.
 */
describe('stitcher dashboard in a browser', () => {
  let env: TestEnv;
  let lp: LivepeerLocal;
  let fixture: RelayFixture;
  let stitcher: RunningApp;
  let segments: SyntheticSegment[];
  let scene: StitcherScene;
  let browser: Browser;
  let page: Page;
  let publishing: Promise<void> | undefined;
  let stopPublishing = false;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    scene = await StitcherScene.start('stitcher-dashboard', { mediaSeconds: 40, mode: 'passthrough' });
    ({ env, lp, fixture, segments } = scene);
    stitcher = await spawnApp('stitcher', stitcherEnv(env, lp, { PLAYLIST_WINDOW_SEGMENTS: 6 }));
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (err) => pageErrors.push(err.message));
  });

  afterAll(async () => {
    stopPublishing = true;
    await publishing;
    await browser?.close();
    await stitcher?.proc.stop();
    await scene?.close();
  });

  /** Pushes the clip's segments at the pace an encoder produces them. */
  async function publishLive(publish: Publish) {
    for (let seq = 0; seq < segments.length && !stopPublishing; seq++) {
      const started = Date.now();
      await fixture.publishSegment(publish, seq, segments[seq]);
      if (seq >= 2) await new Promise((r) => setTimeout(r, Math.max(0, 2000 - (Date.now() - started))));
    }
  }

  it('refuses a wrong token and signs in with the right one', async () => {
    await page.goto(stitcher.url);
    await page.fill('#token', 'wrong-token-123');
    await page.click('#sign-in');
    await page.waitForSelector('#sign-in-error:has-text("refused")');
    await page.fill('#token', ADMIN_TOKEN);
    await page.click('#sign-in');
    await page.waitForSelector('#overview-view', { state: 'visible' });
    await page.click('nav a[data-page="streams"]');
    await page.waitForSelector('#streams-view', { state: 'visible' });
  });

  it('creates a stream and shows its key once', async () => {
    await page.fill('#create-name', 'bad ladder');
    await page.fill('#create-profiles', '[{"name":"tiny","width":64,"height":64,"bitrate":100,"fps":0}]');
    await page.click('#create-submit');
    await page.waitForSelector('#create-errors:has-text("ladder.profiles[0].width")');

    await page.fill('#create-name', 'Browser stream');
    await page.fill('#create-profiles', '');
    await page.check('#create-presets input[value="P144p30fps16x9"]');
    await page.click('#create-submit');
    await page.waitForSelector('#created', { state: 'visible' });
    const key = await page.textContent('#created-key');
    expect(key).toMatch(/\S{16,}/);
    await page.waitForSelector('#streams-table tr:has-text("Browser stream")');
    // The list was drawn at sign-in, on the hash change and after the create: each preset is offered once.
    const offered = await page.$$eval('#create-presets input', (boxes) => boxes.map((box) => (box as HTMLInputElement).value));
    expect(offered).toEqual(PRESETS.map((preset) => preset.name));
  });

  it('plays the stream live, with a rendition switcher, ladder and timeline', async () => {
    const streamId = await page.getAttribute('#created', 'data-stream-id');
    const stream = (await fixture.streams.findOneBy({ id: streamId! }))!;
    const publish = await fixture.startSession(stream);
    publishing = publishLive(publish);

    await page.click('#streams-table tr:has-text("Browser stream") a.watch', { timeout: 20_000 });
    await page.waitForSelector('#session-view', { state: 'visible' });
    await page.waitForSelector('#renditions button[data-level="0"]', { timeout: 30_000 });

    // The video plays: its clock advances.
    const currentTime = () => page.$eval('#player', (v) => (v as HTMLVideoElement).currentTime);
    await waitFor(async () => (await currentTime()) > 1, { timeoutMs: 40_000, what: 'playback to start' });
    const before = await currentTime();
    await waitFor(async () => (await currentTime()) > before + 2, { timeoutMs: 20_000, what: 'playback to advance' });

    // The picture has the size of the variant being played and is not a uniform (black) frame.
    const frame = await page.evaluate(() => {
      const video = document.getElementById('player') as HTMLVideoElement;
      const canvas = document.createElement('canvas');
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      const context = canvas.getContext('2d')!;
      context.drawImage(video, 0, 0);
      const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
      let min = 255;
      let max = 0;
      for (let i = 0; i < data.length; i += 4) {
        const luma = (data[i] + data[i + 1] + data[i + 2]) / 3;
        min = Math.min(min, luma);
        max = Math.max(max, luma);
      }
      return { width: video.videoWidth, height: video.videoHeight, min, max };
    });
    const variants = (await (await fetch(`${stitcher.url}/hls/${stream.playbackId}/index.m3u8`)).text()).match(/RESOLUTION=\d+x\d+/g)!;
    expect(variants).toContain(`RESOLUTION=${frame.width}x${frame.height}`);
    expect(frame.max - frame.min).toBeGreaterThan(50);

    // The switcher pins a rendition.
    await page.click('#renditions button[data-level="0"]');
    await page.waitForSelector('#renditions button[data-level="0"].active');
    await page.waitForSelector('#ladder tbody tr:has-text("source")');
    await page.waitForSelector('#timeline tbody tr');
    const timelineRows = await page.$$eval('#timeline tbody tr', (rows) => rows.length);
    expect(timelineRows).toBeGreaterThan(2);
    await page.waitForSelector('#counts:has-text("republished")');

    mkdirSync(OUTPUT, { recursive: true });
    await page.screenshot({ path: path.join(OUTPUT, 'stitcher-dashboard.png'), fullPage: true });
  });

  it('shows broadcaster health and queue depth, refreshed live', async () => {
    await page.click('nav a[href="#broadcasters"]');
    await page.waitForSelector(`#broadcasters tbody tr:has-text("${lp.broadcasters[0]}")`);
    await page.waitForSelector('#broadcasters .health.healthy');
    await page.click('nav a[href="#queues"]');
    await page.waitForSelector('#queues tbody tr:has-text("segment-upload")');
    await page.click('#queues button:has-text("Pause")');
    await page.click('#confirm-dialog[open] #confirm-ok'); // pausing stops every stream's uploads: it asks first
    await page.waitForSelector('#queues tbody tr:has-text("paused")');
    await page.click('#queues button:has-text("Resume")');
    await page.waitForSelector('#queues tbody tr:has-text("running")');
    await page.screenshot({ path: path.join(OUTPUT, 'stitcher-dashboard-queues.png') });
    expect(pageErrors).toEqual([]);
  });
});
