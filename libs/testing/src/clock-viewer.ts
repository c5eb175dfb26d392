import type { Browser } from 'playwright-core';
import { hlsJsScriptPath } from './browser';
import { FRAME_CLOCK_GRID, decodeFrameClockLevels, frameClockBlockLevels, unwrapFrameClock } from './frame-clock';

export interface ClockViewOptions {
  /** A page of the playlist's origin is loaded first, so the player's requests are same-origin. */
  origin: string;
  /** The (master or media) playlist hls.js plays, with its default config. */
  playlistUrl: string;
  /** How long to watch once the first frame shows. */
  seconds: number;
  sampleIntervalMs?: number;
  /** Give up when no frame shows within this long. */
  startTimeoutMs?: number;
}

export interface ClockView {
  /** Date.now() when the shown frame was sampled, minus the wall clock drawn into it (ms). */
  latencies: number[];
  /** Samples whose pattern did not decode (a frame smeared by compression, or none yet). */
  unreadable: number;
  /** Page load -> first frame shown (ms). */
  startupMs: number;
  /** Heights of the renditions shown (hls.js picks by bandwidth). */
  heights: number[];
  errors: string[];
}

/** What the page records every sample: the wall clock then, and the frame's block levels. */
interface PageSample {
  at: number;
  levels: number[];
  height: number;
}

/**
 * One viewer joining a live stream: a fresh browser context and page, hls.js playing the
 * playlist, and every `sampleIntervalMs` the shown video frame drawn to a canvas and its
 * frame-clock blocks measured there (the very function frame-clock.ts decodes with, injected
 * into the page). The bits are read back here from those levels; the clock is the same machine's.
 */
export async function watchFrameClock(browser: Browser, options: ClockViewOptions): Promise<ClockView> {
  const { sampleIntervalMs = 250, startTimeoutMs = 30_000 } = options;
  // The viewer injects hls.js and its sampler as scripts, which the stitcher's CSP forbids on its own pages.
  const context = await browser.newContext({ bypassCSP: true });
  try {
    const page = await context.newPage();
    await page.goto(options.origin);
    await page.addScriptTag({ path: hlsJsScriptPath() });
    await page.addScriptTag({ content: `window.frameClockBlockLevels = ${frameClockBlockLevels.toString()};` });
    const loadedAt = Date.now();
    await page.evaluate(
      ({ src, intervalMs, grid }) => {
        const w = window as unknown as {
          // eslint-disable-next-line @typescript-eslint/no-explicit-any -- hls.js is loaded as a page script, its types are not in scope here
          Hls: any;
          frameClockBlockLevels: typeof frameClockBlockLevels;
          clockSamples: PageSample[];
          firstFrameAt?: number;
          playerErrors: string[];
        };
        w.clockSamples = [];
        w.playerErrors = [];
        const video = document.createElement('video');
        video.muted = true;
        document.body.appendChild(video);
        const hls = new w.Hls();
        hls.on(w.Hls.Events.ERROR, (_: unknown, data: { fatal: boolean; details: string }) => {
          if (data.fatal) w.playerErrors.push(data.details);
        });
        hls.on(w.Hls.Events.MANIFEST_PARSED, () => void video.play());
        hls.loadSource(src);
        hls.attachMedia(video);
        // Small canvas: the blocks are 1/8 of the width, 32 px here, and reading it stays cheap.
        const canvas = document.createElement('canvas');
        canvas.width = 256;
        canvas.height = 144;
        const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
        setInterval(() => {
          if (video.paused || video.readyState < 2) return;
          w.firstFrameAt ??= Date.now();
          ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
          const at = Date.now();
          const pixels = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
          const levels = w.frameClockBlockLevels(pixels, canvas.width, canvas.height, 4, grid.columns, grid.rows);
          w.clockSamples.push({ at, levels, height: video.videoHeight });
        }, intervalMs);
      },
      { src: options.playlistUrl, intervalMs: sampleIntervalMs, grid: FRAME_CLOCK_GRID },
    );
    const started = await page
      .waitForFunction(() => (window as unknown as { firstFrameAt?: number }).firstFrameAt, undefined, {
        timeout: startTimeoutMs,
        polling: 100,
      })
      .then(() => true)
      .catch(() => false);
    if (started) await page.waitForTimeout(options.seconds * 1000);
    const state = await page.evaluate(() => {
      const w = window as unknown as { clockSamples: PageSample[]; firstFrameAt?: number; playerErrors: string[] };
      return { samples: w.clockSamples, firstFrameAt: w.firstFrameAt, errors: w.playerErrors };
    });
    const view: ClockView = { latencies: [], unreadable: 0, startupMs: NaN, heights: [], errors: state.errors };
    if (!started) view.errors.push(`no frame shown within ${startTimeoutMs} ms`);
    if (state.firstFrameAt) view.startupMs = state.firstFrameAt - loadedAt;
    for (const sample of state.samples) {
      const stamp = decodeFrameClockLevels(sample.levels);
      if (stamp === null) view.unreadable++;
      else view.latencies.push(sample.at - unwrapFrameClock(stamp, sample.at));
      if (!view.heights.includes(sample.height)) view.heights.push(sample.height);
    }
    return view;
  } finally {
    await context.close();
  }
}
