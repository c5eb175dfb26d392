import type { Browser } from 'playwright-core';
import { hlsJsScriptPath, launchChromium } from './browser';

/**
 * Plays a playlist with hls.js (from node_modules, no CDN) in headless Chromium, from a page of
 * `pageUrl` (same origin as the playlist, so its requests are plain same-site GETs), and returns
 * the playback position reached, or throws with the player's fatal errors if it never passes
 * `minSeconds`. The page's CSP is bypassed: hls.js is injected as a script, which the stitcher's
 * pages forbid (as they should; the dashboard loads its scripts from files).
 */
export async function playWithHlsJs(
  pageUrl: string,
  playlistUrl: string,
  minSeconds: number,
  timeoutMs = 60_000,
  /**
   * A browser launched beforehand, left open: a test measuring a live stream launches it before
   * going live, so the launch's burst of CPU and disk (several processes on two cores) does not
   * land on the segments being transcoded when playback starts.
   */
  launched?: Browser,
): Promise<number> {
  const browser = launched ?? (await launchChromium());
  const page = await browser.newPage({ bypassCSP: true });
  try {
    await page.goto(pageUrl);
    await page.addScriptTag({ path: hlsJsScriptPath() });
    await page.evaluate((src) => {
      const video = document.createElement('video');
      video.muted = true;
      document.body.appendChild(video);
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- hls.js is loaded as a page script, its types are not in scope here
      const w = window as unknown as { Hls: any; playerErrors: string[] };
      w.playerErrors = [];
      const hls = new w.Hls();
      hls.on(w.Hls.Events.ERROR, (_: unknown, data: { fatal: boolean; details: string }) => {
        if (data.fatal) w.playerErrors.push(data.details);
      });
      hls.loadSource(src);
      hls.attachMedia(video);
      hls.on(w.Hls.Events.MANIFEST_PARSED, () => void video.play());
    }, playlistUrl);
    return await page
      .waitForFunction((min) => (document.querySelector('video')?.currentTime ?? 0) > min, minSeconds, { timeout: timeoutMs, polling: 500 })
      .then(() => page.evaluate(() => document.querySelector('video')!.currentTime))
      .catch(async () => {
        const state = await page.evaluate(() => ({
          currentTime: document.querySelector('video')?.currentTime,
          errors: (window as unknown as { playerErrors: string[] }).playerErrors,
        }));
        throw new Error(`hls.js did not play past ${minSeconds} s: ${JSON.stringify(state)}`);
      });
  } finally {
    await (launched ? page.close() : browser.close());
  }
}

/**
 * Plays a VOD playlist with hls.js from its start to its end (at `rate` x speed, muted) in
 * headless Chromium; returns the media's duration, the position reached and whether the
 * video element fired `ended`, or throws with the player's errors.
 */
export async function playVodToEnd(
  origin: string,
  url: string,
  options: { rate?: number; timeoutMs?: number } = {},
): Promise<{ duration: number; reached: number; ended: boolean; startedAt: number }> {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ bypassCSP: true });
    let crashed = false;
    page.on('crash', () => (crashed = true));
    await page.goto(`${origin}/health/live`);
    await page.addScriptTag({ path: hlsJsScriptPath() });
    await page.evaluate(
      ({ src, rate }) => {
        const video = document.createElement('video');
        video.muted = true;
        document.body.appendChild(video);
        // eslint-disable-next-line @typescript-eslint/no-explicit-any -- hls.js is loaded as a page script, its types are not in scope here
        const w = window as unknown as { Hls: any; playerErrors: string[]; ended: boolean; firstTime?: number };
        w.playerErrors = [];
        w.ended = false;
        const hls = new w.Hls();
        hls.on(w.Hls.Events.ERROR, (_: unknown, data: { fatal: boolean; details: string }) => {
          if (data.fatal) w.playerErrors.push(data.details);
        });
        video.addEventListener('ended', () => (w.ended = true));
        video.addEventListener('playing', () => (w.firstTime ??= video.currentTime), { once: true });
        hls.loadSource(src);
        hls.attachMedia(video);
        hls.on(w.Hls.Events.MANIFEST_PARSED, () => {
          video.playbackRate = rate;
          void video.play();
        });
      },
      { src: url, rate: options.rate ?? 4 },
    );
    await page
      .waitForFunction(() => (window as unknown as { ended: boolean }).ended, undefined, {
        timeout: options.timeoutMs ?? 120_000,
        polling: 500,
      })
      .catch(async (err: Error) => {
        if (crashed) throw new Error(`the page crashed while playing the recording: ${err.message}`);
        const state = await page.evaluate(() => ({
          currentTime: document.querySelector('video')?.currentTime,
          errors: (window as unknown as { playerErrors: string[] }).playerErrors,
        }));
        throw new Error(`hls.js did not play the recording to its end: ${JSON.stringify(state)}`);
      });
    // Awaited here: the browser closes in `finally` as soon as this returns.
    return await page.evaluate(() => {
      const video = document.querySelector('video')!;
      const w = window as unknown as { ended: boolean; firstTime?: number };
      return { duration: video.duration, reached: video.currentTime, ended: w.ended, startedAt: w.firstTime ?? NaN };
    });
  } finally {
    await browser.close();
  }
}
