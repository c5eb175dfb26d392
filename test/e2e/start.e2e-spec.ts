import { ManagedProcess, distEntry } from '@lib/runtime';
import { TEST_REDIS_URL, TestEnv } from '@lib/testing';

/**
 * `npm start`'s launcher brings the whole system to healthy on one machine (here on
 * free ports, with its own data directory), prints the URLs a user needs, and
 * stops every process it started on Ctrl-C.
 */
describe('npm start launcher', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await TestEnv.create({ name: 'launcher', s3: false });
  });
  afterAll(() => env.cleanup());

  it('starts every app healthy, prints the URLs, and stops everything on SIGINT', async () => {
    const launcher = new ManagedProcess({
      name: 'launcher',
      command: process.execPath,
      args: [distEntry('libs/runtime/src/launcher.main')],
      env: {
        ...process.env,
        DATA_DIR: `${env.tmpDir}/data`,
        REDIS_URL: TEST_REDIS_URL,
        REDIS_PREFIX: env.id,
        S3_PORT: '0',
        INGEST_HTTP_PORT: '0',
        INGEST_RTMP_PORT: '0',
        WORKER_HTTP_PORT: '0',
        STITCHER_HTTP_PORT: '0',
        LIVEPEER_LOCAL_PORT: '0',
        LIVEPEER_LOCAL_BROADCASTER_PORT: '0',
        LIVEPEER_LOCAL_TRANSCODE_MODE: 'passthrough',
        WORKER_COPIES: '2',
      },
    });
    try {
      await launcher.waitForLine((l) => l.includes('livepeer-relay is up'), 120_000, 'the ready banner');
      const banner = launcher.tail(60);
      const url = (label: string) => banner.match(new RegExp(`${label}\\s+(\\S+)`))?.[1];
      const dashboard = url('Dashboard')!;
      expect(dashboard).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect(url('RTMP ingest')).toMatch(/^rtmp:\/\/127\.0\.0\.1:\d+\/live\/\{streamKey\}$/);
      expect(url('HLS playback')).toContain('/hls/{playbackId}/index.m3u8');
      expect((await fetch(new URL('/health/ready', dashboard))).status).toBe(200);
      const lpApi = url('Livepeer API')!;
      const broadcasters = (await (await fetch(`${lpApi}/broadcaster`)).json()) as Array<{ address: string }>;
      expect(broadcasters).toHaveLength(2);
    } finally {
      launcher.child.kill('SIGINT');
      await launcher.exited;
    }
    expect((await launcher.exited).code).toBe(0);
    expect(launcher.tail()).toContain('stopping');
  });
});
