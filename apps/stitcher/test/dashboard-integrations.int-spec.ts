import type { Browser, Page } from 'playwright-core';
import { TestEnv, launchChromium, spawnApp, type RunningApp } from '@lib/testing';
import { ADMIN_TOKEN, RelayFixture, stitcherEnv } from './helpers';

/**
 * The dashboard's Integrations page in headless Chromium: an API key created (shown once) signs
 * in, webhook endpoints are added (secret shown once) and refused with the API's reasons, and a
 * stream is deleted.
 */
describe('dashboard integrations page', () => {
  let env: TestEnv;
  let fixture: RelayFixture;
  let stitcher: RunningApp;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    env = await TestEnv.create({ name: 'dashboard-integrations' });
    fixture = await RelayFixture.create(env);
    stitcher = await spawnApp('stitcher', stitcherEnv(env, undefined));
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (err) => pageErrors.push(err.message));
  });

  afterAll(async () => {
    await browser?.close();
    await stitcher?.proc.stop();
    await fixture?.close();
    await env?.cleanup();
  });

  it('creates an API key shown once and signs in with it', async () => {
    await page.goto(stitcher.url);
    await page.fill('#token', ADMIN_TOKEN);
    await page.click('#sign-in');
    await page.waitForSelector('#nav', { state: 'visible' });
    await page.click('nav a[href="#integrations"]');
    await page.waitForSelector('#integrations-view', { state: 'visible' });
    await page.fill('#key-name', 'operator');
    await page.selectOption('#key-scope', 'admin');
    await page.click('#key-form button');
    const key = (await page.waitForSelector('#integrations-secret-value')).textContent();
    expect(await key).toMatch(/^lpr_/);
    await page.waitForSelector('#keys-table tr:has-text("operator")');

    await page.click('#sign-out');
    await page.fill('#token', (await key)!);
    await page.click('#sign-in');
    await page.waitForSelector('#nav', { state: 'visible' });
  });

  it('adds a webhook endpoint with its secret shown once, and shows the reasons of a refused one', async () => {
    await page.goto(`${stitcher.url}/#integrations`);
    await page.waitForSelector('#integrations-view', { state: 'visible' });
    await page.fill('#webhook-url', 'https://hooks.example.com/relay');
    await page.check('input[name=webhook-event][value="stream.started"]');
    await page.click('#webhook-form button');
    expect(await (await page.waitForSelector('#integrations-secret-value:has-text("whsec_")')).textContent()).toMatch(/^whsec_/);
    await page.waitForSelector('#webhooks-table tr:has-text("hooks.example.com")');

    await page.fill('#webhook-url', 'https://hooks.example.com/other');
    await page.uncheck('input[name=webhook-event][value="stream.started"]');
    await page.click('#webhook-form button');
    await page.waitForSelector('#integrations-error:has-text("events")');
  });

  it('deletes a stream after confirmation', async () => {
    await fixture.createStream('doomed', {});
    await page.waitForSelector('#manage-streams-table tr:has-text("doomed")');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.click('#manage-streams-table tr:has-text("doomed") button:has-text("Delete")');
    await page.waitForSelector('#manage-streams-table tr:has-text("doomed")', { state: 'detached' });
    expect(await fixture.streams.findOneBy({ name: 'doomed' })).toBeNull();
    expect(pageErrors).toEqual([]);
  });
});
