import { TestEnv, spawnApp, startLivepeerLocal, type LivepeerLocal, type RunningApp } from '@lib/testing';
import { ADMIN_TOKEN, stitcherEnv } from './helpers';

/**
 * The admin API (and so the dashboard, which shows its field errors) asks the configured Livepeer
 * API about a ladder when it is set: an older API's 422 comes back as a 400 naming the field and
 * who refused it.
 */
describe('admin API: the Livepeer API checks a ladder when it is set', () => {
  let env: TestEnv;
  let lp: LivepeerLocal;
  let stitcher: RunningApp;

  beforeAll(async () => {
    env = await TestEnv.create({ name: 'admin-ladder-check', s3: false });
    lp = await startLivepeerLocal(env.processEnv({ LIVEPEER_LOCAL_BROADCASTERS: 0, LIVEPEER_LOCAL_PORT: 0 }), { dialect: 'legacy' });
    stitcher = await spawnApp('stitcher', stitcherEnv(env, lp));
  });

  afterAll(async () => {
    await stitcher?.proc.stop();
    await lp?.app.proc.stop();
    await env?.cleanup();
  });

  const call = async (method: string, path: string, body: unknown) => {
    const response = await fetch(`${stitcher.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  };

  it('answers 400 with the API reason for a ladder the relay allows and the API refuses, and creates nothing', async () => {
    const refused = await call('POST', '/api/streams', {
      name: 'older',
      ladder: { profiles: [{ name: 'keep', width: 640, height: 360, bitrate: 800_000, fps: 0, gop: '2.0' }] },
    });
    expect(refused.status).toBe(400);
    const by = ` (refused by the Livepeer API at ${lp.apiUrl})`;
    expect(refused.body.errors).toEqual({
      'ladder.profiles[0].gop': [`is not allowed${by}`],
      'ladder.profiles[0].fps': [`must be >= 1${by}`],
    });
    const list = await fetch(`${stitcher.url}/api/streams`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(((await list.json()) as { name: string }[]).map((s) => s.name)).not.toContain('older');
  });

  it('accepts a ladder the API accepts, saying so, and checks a ladder change', async () => {
    const created = await call('POST', '/api/streams', { name: 'fine', ladder: { presets: ['P240p30fps16x9'] } });
    expect(created.status).toBe(201);
    expect(created.body.ladderCheck).toEqual({ result: 'accepted' });
    const change = await call('PUT', `/api/streams/${created.body.id}/ladder`, {
      profiles: [{ name: 'x', width: 426, height: 240, bitrate: 400_000, fps: 30, profile: 'H264Main' }],
    });
    expect(change.status).toBe(400);
    expect(change.body.errors).toEqual({ 'profiles[0].profile': [`is not allowed (refused by the Livepeer API at ${lp.apiUrl})`] });
  });
});
