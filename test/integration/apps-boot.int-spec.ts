import { ManagedProcess, distEntry, freePort } from '@lib/runtime';
import { AppName, TestEnv, spawnApp } from '@lib/testing';

/**
 * Every relay app boots on its own against real Redis, PostgreSQL and S3, reports
 * health and metrics, refuses bad settings by name, and stops cleanly on SIGTERM.
 */
const APPS: AppName[] = ['ingest', 'worker', 'stitcher'];

describe.each(APPS)('%s process', (app) => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await TestEnv.create({ name: `boot-${app}` });
  });
  afterAll(() => env.cleanup());

  it('is live and ready with its dependencies, serves metrics, and exits 0 on SIGTERM', async () => {
    const { proc, url } = await spawnApp(app, env.processEnv());
    try {
      expect((await fetch(`${url}/health/live`)).status).toBe(200);
      const ready = await fetch(`${url}/health/ready`);
      const body = (await ready.json()) as { status: string; info: Record<string, { status: string }> };
      expect(ready.status, JSON.stringify(body)).toBe(200);
      expect(Object.keys(body.info).sort()).toEqual(['database', 'redis', 's3']);
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toContain(`process_cpu_user_seconds_total{app="${app}"}`);
      // Logs are structured JSON lines.
      const firstLog = proc
        .tail(400)
        .split('\n')
        .find((l) => l.startsWith('{'));
      expect(JSON.parse(firstLog!)).toMatchObject({ app });
    } finally {
      await proc.stop();
    }
    expect(await proc.exited).toEqual({ code: 0, signal: null });
  });

  it('reports not-ready (503) naming the dependency that is down', async () => {
    const closedPort = await freePort();
    const { proc, url } = await spawnApp(app, env.processEnv({ S3_ENDPOINT: `http://127.0.0.1:${closedPort}` }));
    try {
      const ready = await fetch(`${url}/health/ready`);
      expect(ready.status).toBe(503);
      const body = (await ready.json()) as { error: Record<string, unknown> };
      expect(Object.keys(body.error)).toEqual(['s3']);
    } finally {
      await proc.stop();
    }
  });

  it('refuses to start with a bad setting, naming the variable and hiding secrets', async () => {
    const proc = new ManagedProcess({
      name: app,
      command: process.execPath,
      args: [distEntry(`apps/${app}/src/main`)],
      env: env.processEnv({ REDIS_URL: 'not-a-url', S3_SECRET_KEY: '', SEGMENT_TARGET_SECONDS: '-1' }),
    });
    const exit = await proc.exited;
    expect(exit.code).toBe(2);
    expect(proc.tail()).toContain('REDIS_URL="not-a-url"');
    expect(proc.tail()).toContain('SEGMENT_TARGET_SECONDS');
  });
});
