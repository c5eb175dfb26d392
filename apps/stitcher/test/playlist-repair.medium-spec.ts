import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { databaseConfig, s3Config } from '@lib/config';
import { databaseRepositories, openDataSource, type DataSource, type SessionEntity, type StreamEntity } from '@lib/database';
import { MetricsService } from '@lib/observability';
import { CONTENT_TYPES, StorageService, objectKeys } from '@lib/storage';
import { TestEnv } from '@lib/testing';
import { DeferredDeletes } from '../src/republish/deferred-deletes.service';
import { RepublishMetrics } from '../src/republish/republish.metrics';
import { StreamPlaylists } from '../src/republish/stream-playlists';
import { receivedBytes } from '../src/republish/received-segment';

const run = promisify(execFile);
const VERIFY_MS = 10_000;

/**
 * The bucket is shared: a playlist object someone else overwrote or deleted is put back as the
 * stream's writer has it (StreamPlaylists.verify), against a real S3 server and database.
 */
describe('stitcher: playlists overwritten in the bucket are repaired; the master follows a variant that changes', () => {
  let env: TestEnv;
  let ds: DataSource;
  let storage: StorageService;
  let playlists: StreamPlaylists;
  let stream: StreamEntity;
  let session: SessionEntity;
  const master = () => objectKeys.hlsMaster(stream.playbackId);
  const media = () => objectKeys.hlsMedia(stream.playbackId, 'source');
  const text = async (key: string) => (await storage.getBuffer(key)).toString('utf8');
  const encodeSegment = async (size: string): Promise<Buffer> => {
    const file = path.join(env.tmpDir, `${size}.ts`);
    await run('ffmpeg', [
      ...['-nostdin', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=30:duration=1`],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-threads', '1', '-pix_fmt', 'yuv420p', '-f', 'mpegts', file],
    ]);
    return readFile(file);
  };

  beforeAll(async () => {
    env = await TestEnv.create({ name: 'stitcher-playlist-repair' });
    ds = await openDataSource(databaseConfig.load(env.vars()), true);
    const repos = databaseRepositories(ds);
    storage = new StorageService(s3Config.load(env.vars()));
    await storage.ensureBucket();
    const now = Date.now();
    stream = {
      id: randomUUID(),
      name: 'repair',
      ladder: { presets: [] },
      keyHash: randomBytes(32).toString('hex'),
      playbackId: randomBytes(8).toString('hex'),
      enabled: true,
      record: false,
      dvrWindowSeconds: null,
      recordingRetentionDays: null,
      createdAt: now,
      updatedAt: now,
    };
    await repos.streams.insert(stream);
    session = {
      id: randomUUID(),
      streamId: stream.id,
      livepeerStreamId: randomUUID(),
      livepeerStreamKey: null,
      livepeerPlaybackId: null,
      profiles: null,
      renditions: {},
      state: 'live',
      stateReason: null,
      protocol: 'http',
      source: null,
      targetDuration: 2,
      startedAt: now,
      endedAt: null,
      playlistEndedAt: null,
      purgedAt: null,
      recordingId: null,
    };
    await repos.sessions.insert(session);
    const settings = { playlistWindowSegments: 4, unlistedDeleteMinMs: 60_000 };
    const metrics = new RepublishMetrics(new MetricsService('stitcher'));
    playlists = new StreamPlaylists(
      { id: stream.id, playbackId: stream.playbackId },
      { settings, renditions: repos.renditions, storage, deletes: new DeferredDeletes(storage), metrics },
      () => undefined,
    );
    await playlists.load();
    await playlists.openSession(['source'], 2);
    // A real H.264 segment, so the variant is described and the master written.
    await playlists.list(session.id, 0, new Map([['source', receivedBytes(await encodeSegment('320x180'), 1000)]]), now);
  });

  afterAll(async () => {
    await ds?.destroy();
    await env?.cleanup();
  });

  it('leaves playlists that match alone, and checks at most once per interval', async () => {
    const at = Date.now() + VERIFY_MS;
    expect(await playlists.verify(VERIFY_MS, at)).toEqual([]);
    await storage.put(
      master(),
      Buffer.from('#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nhttps://elsewhere.example/x.m3u8\n'),
      CONTENT_TYPES.playlist,
    );
    expect(await playlists.verify(VERIFY_MS, at + 1)).toEqual([]); // within the interval: not read
    expect(await playlists.verify(VERIFY_MS, at + VERIFY_MS)).toEqual([master()]);
    expect(await text(master())).toContain('source/index.m3u8');
  });

  it('rewrites an overwritten media playlist and a deleted master', async () => {
    const expectedMedia = await text(media());
    const expectedMaster = await text(master());
    await storage.put(media(), Buffer.from('#EXTM3U\n#EXT-X-ENDLIST\n'), CONTENT_TYPES.playlist);
    await storage.remove([master()]);
    const repaired = await playlists.verify(VERIFY_MS, Date.now() + 3 * VERIFY_MS);
    expect(repaired.sort()).toEqual([master(), media()].sort());
    expect(await text(media())).toBe(expectedMedia);
    expect(await text(master())).toBe(expectedMaster);
  });

  it('announces a new RESOLUTION in the master when the source changes size mid-session', async () => {
    expect(await text(master())).toContain('RESOLUTION=320x180');
    const bigger = await encodeSegment('640x360');
    await playlists.list(session.id, 1, new Map([['source', receivedBytes(bigger, 1000)]]), Date.now());
    const after = await text(master());
    expect(after).toContain('RESOLUTION=640x360');
    expect(after).not.toContain('RESOLUTION=320x180');
    // The bandwidth is the new encoding's peak, not the old one's.
    const bandwidth = Number(/BANDWIDTH=(\d+)/.exec(after)![1]);
    expect(bandwidth).toBeGreaterThanOrEqual(bigger.length * 8);
  });
});
