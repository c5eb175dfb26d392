import { Queue } from 'bullmq';
import http from 'node:http';
import { SEGMENT_UPLOAD_QUEUE } from '@lib/queue';
import { TEST_REDIS_URL, TestEnv, spawnApp, type RunningApp } from '@lib/testing';
import { ADMIN_TOKEN, stitcherEnv } from './helpers';

const FAILURE_LIMIT = 3;
const COOKIE = `relay_admin_token=${ADMIN_TOKEN}`;

/** A GET from a given local address (127.0.0.x), to show that the failure limit is per client address. */
function getFrom(localAddress: string, url: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { localAddress, headers: { Authorization: `Bearer ${token}` } }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      })
      .on('error', reject);
  });
}

/**
 * The admin surface against a hostile page and a token guesser: the dashboard's cookie
 * cannot drive the API or bull-board from another origin (another port of the same host),
 * security headers on the dashboard and API, and the per-address limit on wrong tokens.
 */
describe('stitcher admin API: cross-site requests, security headers, token guessing', () => {
  let env: TestEnv;
  let stitcher: RunningApp;
  let queue: Queue;
  let streamId: string;
  const foreignOrigin = () => `http://127.0.0.1:${Number(new URL(stitcher.url).port) + 1}`;

  const bearer = (method: string, path: string, body?: unknown) =>
    fetch(`${stitcher.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
  const withCookie = (method: string, path: string, headers: Record<string, string> = {}) =>
    fetch(`${stitcher.url}${path}`, { method, headers: { Cookie: COOKIE, ...headers } });
  const enabled = async () => ((await (await bearer('GET', `/api/streams/${streamId}`)).json()) as { enabled: boolean }).enabled;

  beforeAll(async () => {
    env = await TestEnv.create({ name: 'stitcher-security' });
    stitcher = await spawnApp('stitcher', stitcherEnv(env, undefined, { AUTH_FAILURE_LIMIT: FAILURE_LIMIT }));
    queue = new Queue(SEGMENT_UPLOAD_QUEUE, { connection: { url: TEST_REDIS_URL }, prefix: env.id });
    const created = await bearer('POST', '/api/streams', { name: 'target', presets: ['P144p30fps16x9'] });
    expect(created.status).toBe(201);
    streamId = ((await created.json()) as { id: string }).id;
  });

  afterAll(async () => {
    await queue?.close();
    await stitcher?.proc.stop();
    await env?.cleanup();
  });

  it("does not let another origin disable a stream or pause the queue through the dashboard's cookie", async () => {
    const origin = { Origin: foreignOrigin() };
    // The admin API takes the bearer header only: the cookie a browser attaches is not enough.
    expect((await withCookie('POST', `/api/streams/${streamId}/disable`, origin)).status).toBe(401);
    expect((await withCookie('POST', '/api/queues/segment-upload/pause', origin)).status).toBe(401);
    // bull-board is opened by navigation, so it takes the cookie, but changes only from its own origin.
    expect((await withCookie('PUT', '/api/queues/board/api/queues/segment-upload/pause', origin)).status).toBe(403);
    expect(
      (await withCookie('PUT', '/api/queues/board/api/queues/segment-upload/pause', { Referer: `${foreignOrigin()}/attack.html` })).status,
    ).toBe(403);
    expect((await withCookie('PUT', '/api/queues/board/api/queues/segment-upload/pause')).status).toBe(403); // no origin at all
    expect(await enabled()).toBe(true);
    expect(await queue.isPaused()).toBe(false);

    // The same requests from the stitcher's own origin, and API clients with the bearer token (no Origin), still work.
    expect((await withCookie('PUT', '/api/queues/board/api/queues/segment-upload/pause', { Origin: stitcher.url })).status).toBe(200);
    expect(await queue.isPaused()).toBe(true);
    expect((await bearer('POST', '/api/queues/segment-upload/resume')).status).toBeLessThan(300);
    expect(await queue.isPaused()).toBe(false);
    expect((await bearer('POST', `/api/streams/${streamId}/disable`)).status).toBeLessThan(300);
    expect(await enabled()).toBe(false);
    expect((await withCookie('GET', '/api/queues/board/')).status).toBe(200);
  });

  it('sends security headers with the dashboard, its scripts and the API', async () => {
    for (const path of ['/', '/app.js', '/api/streams', '/api/queues/board/']) {
      const response = path.startsWith('/api')
        ? await withCookie('GET', path, { Authorization: `Bearer ${ADMIN_TOKEN}` })
        : await fetch(`${stitcher.url}${path}`);
      expect(response.status, path).toBe(200);
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("default-src 'self'");
      expect(csp, path).toContain("script-src 'self'");
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(response.headers.get('x-frame-options'), path).toBe('DENY');
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(response.headers.get('referrer-policy'), path).toBe('no-referrer');
    }
    const dashboard = (await fetch(`${stitcher.url}/`)).headers.get('content-security-policy') ?? '';
    expect(dashboard).toContain("media-src 'self' blob:");
    expect(dashboard).toContain("worker-src 'self' blob:");
    expect(dashboard).not.toContain('unsafe-inline');
  });

  // Last: it locks 127.0.0.1 out for the rest of the window.
  it('refuses an address after too many wrong tokens, and no other address', async () => {
    const statuses = [];
    for (let i = 0; i < FAILURE_LIMIT; i++) statuses.push(await getFrom('127.0.0.1', `${stitcher.url}/api/streams`, 'not-the-admin-token'));
    expect(statuses).toEqual(Array(FAILURE_LIMIT).fill(401));
    const limited = await fetch(`${stitcher.url}/api/streams`, { headers: { Authorization: 'Bearer not-the-admin-token' } });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // The right token from the guessing address waits too; bull-board shares the limit.
    expect(await getFrom('127.0.0.1', `${stitcher.url}/api/streams`, ADMIN_TOKEN)).toBe(429);
    expect((await withCookie('GET', '/api/queues/board/')).status).toBe(429);
    // Another address is not affected.
    expect(await getFrom('127.0.0.2', `${stitcher.url}/api/streams`, ADMIN_TOKEN)).toBe(200);
  });
});
