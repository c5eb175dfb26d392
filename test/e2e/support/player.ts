import path from 'node:path';
import { launchChromium } from '@lib/testing';

/**
 * Plays a master playlist with hls.js (bundled from node_modules, no CDN) in
 * headless Chromium and returns the playback position reached, or throws with the
 * player's errors if it never passes `minSeconds`.
 */
export async function playWithHlsJs(origin: string, masterUrl: string, minSeconds: number, timeoutMs = 60_000): Promise<number> {
  const browser = await launchChromium();
  try {
    // A page of the stitcher's origin, so the player's requests are plain same-site GETs. The
    // harness injects hls.js as a script, which the stitcher's CSP forbids on its pages (as it
    // should: the dashboard loads its scripts from files); the harness is not such a page.
    const page = await browser.newPage({ bypassCSP: true });
    await page.goto(`${origin}/health/live`);
    await page.addScriptTag({ path: path.join(require.resolve('hls.js'), '../hls.min.js') });
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
    }, masterUrl);
    const reached = await page
      .waitForFunction((min) => (document.querySelector('video')?.currentTime ?? 0) > min, minSeconds, { timeout: timeoutMs, polling: 500 })
      .then(() => page.evaluate(() => document.querySelector('video')!.currentTime))
      .catch(async () => {
        const state = await page.evaluate(() => ({
          currentTime: document.querySelector('video')?.currentTime,
          errors: (window as unknown as { playerErrors: string[] }).playerErrors,
        }));
        throw new Error(`hls.js did not play past ${minSeconds} s: ${JSON.stringify(state)}`);
      });
    return reached;
  } finally {
    await browser.close();
  }
}
