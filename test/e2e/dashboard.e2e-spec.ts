import type { Browser, ConsoleMessage, Page } from 'playwright-core';
import { PIPELINE_ADMIN_TOKEN, launchChromium, waitFor } from '@lib/testing';
import { accessibilityViolations, screenshotColours } from './support/dashboard-page';
import { Pipeline, type CreatedStream } from './support/pipeline';

/**
 * The dashboard in Debian's headless Chromium against the whole relay (ingest, workers,
 * stitcher, livepeer-local), driven as an operator would: sign in, create a stream, publish to
 * it with ffmpeg over RTMP, watch its card go live on the overview (server-sent events) and its
 * charts gain points, rotate its key (the old key is refused on the next publish) and disable it
 * (the publish is refused). Every page is screenshotted (test-output/dashboard/, checked not
 * blank) and checked by axe-core for serious or critical violations; at a phone's width the
 * overview does not scroll sideways.
 */
describe('dashboard in a browser, against the whole relay', () => {
  let pipeline: Pipeline;
  let browser: Browser;
  let page: Page;
  let stream: CreatedStream;
  const pageErrors: string[] = [];
  const policyViolations: string[] = [];

  beforeAll(async () => {
    pipeline = await Pipeline.start({ name: 'e2e-dashboard', transcodeMode: 'passthrough' });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (message: ConsoleMessage) => {
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) policyViolations.push(message.text());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await pipeline?.stop();
  });

  const open = async (hash: string, section: string) => {
    await page.evaluate((h) => (location.hash = h), hash);
    await page.waitForSelector(`#${section}`, { state: 'visible' });
  };

  /** Each page: its screenshot is not blank and axe finds nothing serious. */
  const checkPage = async (name: string) => {
    expect(await screenshotColours(page, name)).toBeGreaterThan(8);
    const violations = await accessibilityViolations(page);
    if (violations.length)
      console.log(
        `${name}: axe (minor/moderate)`,
        violations.map((v) => `${v.impact} ${v.id}: ${v.targets.join(', ')}`),
      );
    const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious, `${name}: ${JSON.stringify(serious, null, 1)}`).toEqual([]);
  };

  const confirmDialog = async () => {
    await page.waitForSelector('#confirm-dialog[open]');
    await page.click('#confirm-ok');
    await page.waitForSelector('#confirm-dialog:not([open])', { state: 'attached' });
  };

  it('signs in and lands on the overview', async () => {
    await page.goto(pipeline.stitcher);
    await checkPage('sign-in');
    await page.fill('#token', 'wrong-token-123');
    await page.click('#sign-in');
    await page.waitForSelector('#sign-in-error:has-text("refused")');
    await page.fill('#token', PIPELINE_ADMIN_TOKEN);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#overview-view', { state: 'visible' });
    await page.waitForSelector('#overview-connection:has-text("updating live")');
  });

  it('creates a stream, naming the field the API refuses', async () => {
    await page.click('nav a[data-page="streams"]');
    await page.waitForSelector('#streams-view', { state: 'visible' });
    await page.click('#create-submit');
    await page.waitForSelector('#create-errors:has-text("name: must not be empty")');
    expect(await page.getAttribute('#create-name', 'aria-invalid')).toBe('true');
    await page.fill('#create-name', 'Dashboard stream');
    await page.fill('#create-profiles', '[{"name":"tiny","width":64,"height":64,"bitrate":100,"fps":0}]');
    await page.click('#create-submit');
    await page.waitForSelector('#create-errors:has-text("ladder.profiles[0].width")');
    await page.fill('#create-profiles', '');
    await page.check('#create-presets input[value="P144p30fps16x9"]');
    await page.click('#create-submit');
    await page.waitForSelector('#created', { state: 'visible' });
    const id = (await page.getAttribute('#created', 'data-stream-id'))!;
    const streamKey = (await page.textContent('#created-key'))!;
    const { playbackId } = await pipeline.admin<{ playbackId: string }>(`/api/streams/${id}`);
    stream = { id, streamKey, playbackId };
    await page.waitForSelector(`#streams-table tr[data-stream-id="${id}"]`);

    // The ladder editor: the API's refusal shown at its field, then a saved ladder.
    await page.click(`#streams-table tr[data-stream-id="${id}"] button:has-text("Edit ladder")`);
    await page.waitForSelector('#ladder-form', { state: 'visible' });
    await page.fill('#ladder-profiles', '[{"name":"bad name!","width":256,"height":144,"bitrate":200000,"fps":0}]');
    await page.click('#ladder-save');
    await page.waitForSelector('#ladder-errors:has-text("profiles[0].name")');
    expect(await page.getAttribute('#ladder-profiles', 'aria-invalid')).toBe('true');
    await page.fill('#ladder-profiles', '');
    await page.click('#ladder-save');
    await page.waitForSelector('#status:has-text("saved: P144p30fps16x9")');
    await page.waitForSelector('#ladder-form', { state: 'hidden' });
    await checkPage('streams');
  });

  it('shows the stream live on the overview and its charts gaining points, then watches it', async () => {
    // Long enough for a slow, shared machine; stopped once the pages have been seen.
    const publisher = pipeline.publish(stream, 120, 'first-publish');
    try {
      // The overview updates from one event stream: no API call per card, no poll.
      const apiCalls: string[] = [];
      const onRequest = (request: { url(): string }) => {
        const url = new URL(request.url());
        if (url.pathname.startsWith('/api/')) apiCalls.push(url.pathname);
      };
      page.on('request', onRequest);
      await page.click('nav a[data-page="overview"]');
      const card = `#overview-cards article[data-stream-id="${stream.id}"]`;
      await page.waitForSelector(card, { timeout: 60_000 });
      // Live, with a delay behind live from the playlists' program date-time.
      await page.waitForFunction(
        (selector) => {
          const facts = document.querySelector(selector)?.querySelectorAll('dd');
          return facts && facts[0].textContent === 'live' && /\d s$/.test(facts[1].textContent ?? '');
        },
        card,
        { timeout: 60_000 },
      );
      expect(await page.isVisible(`${card} .thumb-placeholder`)).toBe(true); // no thumbnail here: the placeholder
      // Several event-stream updates have come in (the delay went live from "not live yet") without a request.
      page.off('request', onRequest);
      expect(new Set(apiCalls.filter((path) => !path.startsWith('/api/events')))).toEqual(new Set());
      await checkPage('overview');

      await page.click(`${card} h3 a`);
      await page.waitForSelector('#stream-view', { state: 'visible' });
      const points = () => page.$eval('#chart-stream-timing', (f) => Number((f as HTMLElement).dataset.points ?? 0));
      await waitFor(async () => (await points()) >= 2, { timeoutMs: 30_000, what: 'points on the timing chart' });
      const before = await points();
      await waitFor(async () => (await points()) > before, { timeoutMs: 30_000, what: 'the timing chart to gain points' });
      await page.waitForSelector('#chart-stream-timing canvas');
      await checkPage('stream');

      await page.click('#stream-actions a.watch');
      await page.waitForSelector('#session-view', { state: 'visible' });
      await page.waitForSelector('#timeline tbody tr', { timeout: 30_000 });
      await checkPage('session');
    } finally {
      await publisher.stop();
    }
  });

  it('shows broadcasters and the upload queue with their charts', async () => {
    await page.click('nav a[data-page="broadcasters"]');
    await page.waitForSelector('#broadcasters tbody tr');
    await page.waitForFunction(() => Number(document.getElementById('chart-broadcaster-round-trip')?.dataset.points ?? 0) > 0);
    await checkPage('broadcasters');
    await page.click('nav a[data-page="queues"]');
    await page.waitForSelector('#queues tbody tr:has-text("segment-upload")');
    await page.waitForFunction(() => Number(document.getElementById('chart-queue-depth')?.dataset.points ?? 0) > 1);
    // Pausing asks first; cancelling changes nothing.
    await page.click('#queues button:has-text("Pause")');
    await page.waitForSelector('#confirm-dialog[open]');
    await page.keyboard.press('Escape');
    await page.waitForSelector('#queues tbody tr:has-text("running")');
    await page.click('#queues button:has-text("Pause")');
    await confirmDialog();
    await page.waitForSelector('#queues tbody tr:has-text("paused")');
    await page.click('#queues button:has-text("Resume")');
    await page.waitForSelector('#queues tbody tr:has-text("running")');
    await checkPage('queues');
  });

  it('rotates the key: the old one is refused on the next publish, the new one accepted', async () => {
    await open(`#stream/${stream.id}`, 'stream-view');
    const oldKey = stream.streamKey;
    await page.click('#stream-actions button[data-action="Rotate key"]');
    await confirmDialog();
    await page.waitForSelector('#status:has-text("new key")');
    const newKey = (await page.textContent('#created-key'))!;
    expect(newKey).not.toBe(oldKey);

    const refused = pipeline.publish({ ...stream, streamKey: oldKey }, 5, 'old-key');
    expect((await refused.exited).code).not.toBe(0);

    const sessionsBefore = (await pipeline.sessions(stream)).length;
    const accepted = pipeline.publish({ ...stream, streamKey: newKey }, 6, 'new-key');
    await waitFor(async () => (await pipeline.sessions(stream)).length > sessionsBefore, {
      timeoutMs: 30_000,
      what: 'a session on the new key',
    });
    expect((await accepted.exited).code).toBe(0);
    stream = { ...stream, streamKey: newKey };
  });

  it('disables the stream: the publish is refused', async () => {
    await page.click('#stream-actions button[data-action="Disable"]');
    await confirmDialog();
    await page.waitForSelector('#status:has-text("disabled")');
    await page.waitForSelector('#stream-actions button[data-action="Enable"]');
    const refused = pipeline.publish(stream, 5, 'disabled');
    expect((await refused.exited).code).not.toBe(0);
  });

  it('fits a phone: the overview does not scroll sideways and stays accessible', async () => {
    await page.setViewportSize({ width: 375, height: 740 });
    for (const [hash, section] of [
      ['#overview', 'overview-view'],
      ['#streams', 'streams-view'],
      [`#stream/${stream.id}`, 'stream-view'],
    ]) {
      await open(hash, section);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `${section} at 375 px`).toBeLessThanOrEqual(0);
    }
    await checkPage('stream-phone');
    // Keyboard: on a fresh load (signed in from storage) the first Tab reaches the skip link, shown when focused.
    await page.reload();
    await page.waitForSelector('#stream-view', { state: 'visible' });
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.className)).toBe('skip-link');
    expect(await page.evaluate(() => document.activeElement!.getBoundingClientRect().left)).toBeGreaterThanOrEqual(0);
    // Signing out leaves no key on screen.
    await page.click('#sign-out');
    await page.waitForSelector('#sign-in-view', { state: 'visible' });
    expect(await page.isHidden('#created')).toBe(true);
    expect(await page.textContent('#created-key')).toBe('');
    expect(pageErrors).toEqual([]);
    expect(policyViolations).toEqual([]);
  });

  it('deletes the stream after a confirmation: the API no longer has it', async () => {
    await page.fill('#token', PIPELINE_ADMIN_TOKEN);
    await page.keyboard.press('Enter');
    await open(`#stream/${stream.id}`, 'stream-view');
    await page.click('#stream-actions button[data-action="Delete"]');
    await confirmDialog();
    await page.waitForSelector('#status:has-text("deleted")');
    await expect(pipeline.admin(`/api/streams/${stream.id}`)).rejects.toThrow(/404/);
  });
});
