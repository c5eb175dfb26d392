import Redis from 'ioredis';
import type { DataSource } from '@lib/database';
import { databaseConfig } from '@lib/config';
import { StreamEntity, openDataSource } from '@lib/database';
import { type StreamControlEvent, streamControlChannel } from '@lib/queue';
import { hashStreamKey } from '@lib/streams';
import { TestEnv, waitFor } from '@lib/testing';
import { cli } from './ingest-harness';

/** `npm run cli -- streams ...` (the built CLI) against a real database and Redis. */
describe('streams CLI', () => {
  let env: TestEnv;
  let vars: NodeJS.ProcessEnv;
  let db: DataSource;
  let sub: Redis;
  const control: StreamControlEvent[] = [];

  beforeAll(async () => {
    env = await TestEnv.create({ name: 'streams-cli', s3: false });
    // The Livepeer API's own check of a ladder has its test (cli-ladder-check.int-spec.ts); none runs here.
    vars = env.processEnv({
      PUBLIC_HOST: 'relay.example.com',
      INGEST_RTMP_PORT: 1935,
      INGEST_HTTP_PORT: 8081,
      STITCHER_HTTP_PORT: 8080,
      LADDER_CHECK: 'off',
    });
    sub = new Redis(vars.REDIS_URL!);
    sub.on('message', (_c, m) => control.push(JSON.parse(m)));
    await sub.subscribe(streamControlChannel(env.id));
  });

  afterAll(async () => {
    await sub?.quit();
    await db?.destroy();
    await env?.cleanup();
  });

  const rows = async () => {
    db ??= await openDataSource(databaseConfig.load(vars as Record<string, string>), false);
    return db.getRepository(StreamEntity).find();
  };

  it('creates a stream and prints its key, playback id and URLs once, storing only the key hash', async () => {
    const result = await cli(vars, 'streams', 'create', '--name', 'demo', '--presets', 'P360p30fps16x9', '--json');
    expect(result.code).toBe(0);
    const created = JSON.parse(result.stdout);
    expect(created).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'demo',
      streamKey: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      playbackId: expect.stringMatching(/^[0-9a-f]{16}$/),
      ladder: { presets: ['P360p30fps16x9'] },
      enabled: true,
      rtmpUrl: `rtmp://relay.example.com:1935/live/${created.streamKey}`,
      httpPushUrl: `http://relay.example.com:8081/live/${created.streamKey}/{seq}.ts`,
      playbackUrl: `http://relay.example.com:8080/hls/${created.playbackId}/index.m3u8`,
      createdAt: expect.any(Number),
      ladderCheck: { result: 'skipped' },
    });
    const [row] = await rows();
    expect(row.keyHash).toBe(hashStreamKey(created.streamKey));
    expect(JSON.stringify(row)).not.toContain(created.streamKey);

    const text = await cli(
      vars,
      'streams',
      'create',
      '--name',
      'second',
      '--profiles',
      '{"name":"low","width":256,"height":144,"bitrate":300000,"fps":30}',
    );
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^Stream "second" created\./);
    expect(text.stdout).toMatch(/stream key {3}[A-Za-z0-9_-]{43}\n/);
    expect(text.stdout).toContain('ladder       low 256x144 300 kbps 30 fps');
    expect(text.stdout).toContain('shown only now');
  });

  it('refuses an invalid ladder or name with the reasons, creating nothing', async () => {
    const before = (await rows()).length;
    const ladder = await cli(
      vars,
      'streams',
      'create',
      '--name',
      'bad',
      '--presets',
      'P360p30fps16x9,P1080p',
      '--profiles',
      '[{"name":"x","width":100,"height":144,"bitrate":300000,"fps":30}]',
    );
    expect(ladder.code).toBe(2);
    expect(ladder.stderr).toMatch(/^error: the ladder is not valid for the Livepeer API:\n/);
    expect(ladder.stderr).toContain('  - profiles[0].width must be >= 128');
    expect(ladder.stderr).toContain('  - presets[1] must be one of P720p60fps16x9');
    const json = await cli(vars, 'streams', 'create', '--name', 'bad', '--profiles', '[{');
    expect(json.code).toBe(2);
    expect(json.stderr).toContain('profiles is not valid JSON');
    const name = await cli(vars, 'streams', 'create', '--name', '   ');
    expect(name.code).toBe(2);
    expect(name.stderr).toBe('error: invalid stream name: it must not be empty\n');
    expect((await rows()).length).toBe(before);
  });

  it('lists and gets streams without keys, and reports unknown ids', async () => {
    const list = await cli(vars, 'streams', 'list', '--json');
    const streams = JSON.parse(list.stdout) as Record<string, unknown>[];
    expect(streams.map((s) => s.name)).toEqual(['demo', 'second']);
    expect(streams.every((s) => !('streamKey' in s) && !('keyHash' in s))).toBe(true);
    const got = await cli(vars, 'streams', 'get', String(streams[0].id), '--json');
    expect(JSON.parse(got.stdout)).toMatchObject({ id: streams[0].id, name: 'demo', enabled: true });
    const missing = await cli(vars, 'streams', 'get', '00000000-0000-0000-0000-000000000000');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('error: no stream with id 00000000-0000-0000-0000-000000000000\n');
  });

  it('updates the ladder, rotates the key, disables and enables, announcing each change', async () => {
    const [demo] = JSON.parse((await cli(vars, 'streams', 'list', '--json')).stdout);
    const updated = await cli(vars, 'streams', 'update-ladder', demo.id, '--presets', 'P240p30fps16x9,P144p30fps16x9', '--json');
    expect(JSON.parse(updated.stdout).ladder).toEqual({ presets: ['P240p30fps16x9', 'P144p30fps16x9'] });

    const oldHash = (await rows()).find((r) => r.id === demo.id)!.keyHash;
    const rotated = JSON.parse((await cli(vars, 'streams', 'rotate-key', demo.id, '--json')).stdout);
    const row = (await rows()).find((r) => r.id === demo.id)!;
    expect(row.keyHash).toBe(hashStreamKey(rotated.streamKey));
    expect(row.keyHash).not.toBe(oldHash);
    expect(rotated.rtmpUrl).toContain(rotated.streamKey);

    const disabled = await cli(vars, 'streams', 'disable', demo.id, '--json');
    expect(JSON.parse(disabled.stdout)).toMatchObject({ enabled: false, announced: true });
    expect((await cli(vars, 'streams', 'enable', demo.id, '--json')).code).toBe(0);
    expect((await rows()).find((r) => r.id === demo.id)!.enabled).toBe(true);

    await waitFor(() => control.length >= 4, { what: 'control events' });
    expect(control.map((e) => [e.type, e.streamId])).toEqual([
      ['stream-ladder-updated', demo.id],
      ['stream-key-rotated', demo.id],
      ['stream-disabled', demo.id],
      ['stream-enabled', demo.id],
    ]);
  });

  it('sets recording and DVR settings at create and later, refusing bad values, and lists recordings', async () => {
    const created = await cli(vars, 'streams', 'create', '--name', 'rec', '--record', '--dvr-window', '60', '--json');
    expect(created.code).toBe(0);
    const { id } = JSON.parse(created.stdout);
    expect((await rows()).find((r) => r.id === id)).toMatchObject({ record: true, dvrWindowSeconds: 60, recordingRetentionDays: null });

    const bad = await cli(vars, 'streams', 'settings', id, '--dvr-window', '5');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/dvrWindowSeconds must be 10\.\./);
    const changed = await cli(
      vars,
      'streams',
      'settings',
      id,
      '--no-record',
      '--dvr-window',
      'off',
      '--recording-retention-days',
      '7',
      '--json',
    );
    expect(changed.code).toBe(0);
    expect(JSON.parse(changed.stdout)).toMatchObject({ record: false, dvrWindowSeconds: null, recordingRetentionDays: 7 });

    const list = await cli(vars, 'recordings', 'list', id, '--json');
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([]);
    const missing = await cli(vars, 'recordings', 'get', '00000000-0000-4000-8000-000000000000');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no recording with id/);
  });
});
