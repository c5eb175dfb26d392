import { hlsJsScriptPath, launchChromium } from './browser';

/**
 * Plays a playlist with hls.js (from node_modules, no CDN) in headless Chromium, from a page of
 * `pageUrl` (same origin as the playlist, so its requests are plain same-site GETs), and returns
 * the playback position reached, or throws with the player's fatal errors if it never passes
 * `minSeconds`. The page's CSP is bypassed: hls.js is injected as a script, which the stitcher's
 * pages forbid (as they should; the dashboard loads its scripts from files).
 */
export async function playWithHlsJs(pageUrl: string, playlistUrl: string, minSeconds: number, timeoutMs = 60_000): Promise<number> {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ bypassCSP: true });
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
    await browser.close();
  }
}
