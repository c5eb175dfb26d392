import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type Redis from 'ioredis';
import IORedis from 'ioredis';
import { databaseConfig, s3Config } from '@lib/config';
import {
  type DataSource,
  LedgerService,
  RenditionSegmentEntity,
  SegmentEntity,
  SessionEntity,
  StreamEntity,
  openDataSource,
  type Ladder,
} from '@lib/database';
import { type LivepeerProfile, type LivepeerStream } from '@lib/livepeer';
import { generateTestSegments, type SyntheticSegment } from '@lib/media';
import { encodeSessionEvent, redisKeys, type SessionEvent } from '@lib/queue';
import { StorageService, objectKeys, CONTENT_TYPES } from '@lib/storage';
import { TEST_REDIS_URL, TestEnv, pushSegment, startLivepeerLocal as startShared, type LivepeerLocal } from '@lib/testing';

/**
 * What the stitcher's integration tests need around it: livepeer-local, the rows ingest would
 * write (stream, session, ledger), the source segments in the object store, pushes to a
 * broadcaster as the worker would make them, and a watcher that checks every playlist version.
 */

export type { LivepeerLocal } from '@lib/testing';

export function startLivepeerLocal(
  env: TestEnv,
  options: { broadcasters?: number; mode?: 'ffmpeg' | 'copy' | 'passthrough' } = {},
): Promise<LivepeerLocal> {
  return startShared(
    env.processEnv({ LIVEPEER_LOCAL_BROADCASTERS: options.broadcasters ?? 1, LIVEPEER_LOCAL_TRANSCODE_MODE: options.mode ?? 'copy' }),
  );
}

/** Keyframe-aligned MPEG-TS segments of a small test pattern, encoded once per test file. */
export async function makeSegments(options: { seconds?: number; width?: number; height?: number; segmentSeconds?: number } = {}) {
  const dir = await mkdtemp(path.join(tmpdir(), 'stitcher-media-'));
  const segments = await generateTestSegments({
    dir,
    seconds: options.seconds ?? 8,
    width: options.width ?? 320,
    height: options.height ?? 180,
    fps: 24,
    segmentSeconds: options.segmentSeconds ?? 2,
    videoBitrate: 300_000,
  });
  return { segments, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface Publish {
  stream: StreamEntity;
  session: SessionEntity;
  livepeer: LivepeerStream;
}

/** Plays the parts of ingest and worker for the stitcher: database rows, source objects, pushes. */
export class RelayFixture {
  readonly ledger: LedgerService;
  readonly storage: StorageService;
  private readonly redis: Redis;

  private constructor(
    readonly env: TestEnv,
    readonly ds: DataSource,
    readonly lp: LivepeerLocal | undefined,
  ) {
    this.ledger = new LedgerService(ds.getRepository(SegmentEntity));
    this.storage = new StorageService(s3Config.load(env.vars()));
    this.redis = new IORedis(TEST_REDIS_URL, { maxRetriesPerRequest: 2 });
  }

  static async create(env: TestEnv, lp?: LivepeerLocal): Promise<RelayFixture> {
    const ds = await openDataSource(databaseConfig.load(env.vars()), true);
    const fixture = new RelayFixture(env, ds, lp);
    await fixture.storage.ensureBucket();
    return fixture;
  }

  async close(): Promise<void> {
    this.redis.disconnect();
    await this.ds.destroy();
  }

  get streams() {
    return this.ds.getRepository(StreamEntity);
  }

  get sessions() {
    return this.ds.getRepository(SessionEntity);
  }

  get renditionRows() {
    return this.ds.getRepository(RenditionSegmentEntity);
  }

  async createStream(
    name: string,
    ladder: Ladder,
    settings: Partial<Pick<StreamEntity, 'record' | 'dvrWindowSeconds' | 'recordingRetentionDays'>> = {},
  ): Promise<StreamEntity> {
    const now = Date.now();
    return this.streams.save({
      record: false,
      dvrWindowSeconds: null,
      recordingRetentionDays: null,
      ...settings,
      id: randomUUID(),
      name,
      ladder,
      keyHash: randomBytes(32).toString('hex'),
      playbackId: randomBytes(8).toString('hex'),
      enabled: true,
      createdAt: now,
      updatedAt: now,
    });
  }

  /** A publish: the Livepeer stream (POST /api/stream, as ingest does) and a live session. */
  async startSession(
    stream: StreamEntity,
    options: { targetDuration?: number; startedAt?: number; livepeer?: LivepeerStream } = {},
  ): Promise<Publish> {
    const livepeer =
      options.livepeer ??
      (await this.lp!.client.createStream({
        name: stream.name,
        profiles: stream.ladder.profiles as LivepeerProfile[] | undefined,
        presets: stream.ladder.presets,
      }));
    const session = await this.sessions.save({
      id: randomUUID(),
      streamId: stream.id,
      livepeerStreamId: livepeer.id,
      livepeerStreamKey: livepeer.streamKey,
      livepeerPlaybackId: livepeer.playbackId,
      profiles: livepeer.profiles,
      renditions: livepeer.renditions,
      state: 'live',
      stateReason: null,
      protocol: 'http',
      source: null,
      targetDuration: options.targetDuration ?? 2,
      startedAt: options.startedAt ?? Date.now(),
      endedAt: null,
      playlistEndedAt: null,
      purgedAt: null,
    });
    await this.announce({ type: 'session-live', sessionId: session.id, streamId: stream.id, at: Date.now() });
    return { stream, session, livepeer };
  }

  /**
   * Ingest's part for one segment (object + ledger row), then the worker's (push + uploaded).
   * `push: false`: never transcoded; with `confirmed`, uploaded in the ledger without a real push
   * (the test's own upstream lists it; the stitcher polls playlists only for uploaded seqs).
   */
  async publishSegment(
    publish: Publish,
    seq: number,
    segment: SyntheticSegment,
    options: { push?: boolean; confirmed?: boolean; broadcaster?: string } = {},
  ) {
    const durationMs = 2000;
    const objectKey = objectKeys.sourceSegment(publish.session.id, seq);
    await this.storage.put(objectKey, segment.bytes, CONTENT_TYPES.mpegts);
    await this.ledger.recordIngested({
      sessionId: publish.session.id,
      streamId: publish.stream.id,
      seq,
      durationMs,
      bytes: segment.bytes.length,
      resolution: null,
      objectKey,
      ingestedAt: Date.now(),
    });
    if (options.push === false) {
      if (options.confirmed) await this.ledger.markUploaded(publish.session.id, seq, { uploadMs: 1, roundTripMs: 1 });
      return;
    }
    const result = await pushSegment({
      broadcasterUrl: options.broadcaster ?? this.lp!.broadcasters[0],
      manifestId: publish.livepeer.id,
      seq,
      body: segment.bytes,
      durationMs,
      timeoutMs: 30_000,
    });
    await this.ledger.markUploaded(publish.session.id, seq, { uploadMs: 1, roundTripMs: result.roundTripMs });
  }

  async endSession(publish: Publish): Promise<void> {
    await this.sessions.update({ id: publish.session.id }, { state: 'ended', endedAt: Date.now() });
    await this.announce({ type: 'session-ended', sessionId: publish.session.id, streamId: publish.stream.id, at: Date.now() });
  }

  async announce(event: SessionEvent): Promise<void> {
    await this.redis.publish(redisKeys(this.env.id).sessionEventsChannel(), encodeSessionEvent(event));
  }
}

// The playlist watcher is shared with the end-to-end tests.
export { PlaylistWatcher } from '@lib/testing';

/** Environment for a stitcher process of a test (fast polling, short grace and leases). */
export function stitcherEnv(env: TestEnv, lp: LivepeerLocal | undefined, extra: Record<string, string | number> = {}) {
  return env.processEnv({
    LIVEPEER_API_URL: lp?.apiUrl ?? 'http://127.0.0.1:9/api',
    POLL_INTERVAL_MS: 200,
    STITCHER_SCAN_INTERVAL_MS: 300,
    STITCHER_END_GRACE_MS: 1000,
    STITCHER_LEASE_TTL_MS: 2000,
    PLAYLIST_WINDOW_SEGMENTS: 4,
    ADMIN_TOKEN: ADMIN_TOKEN,
    ...extra,
  });
}

export const ADMIN_TOKEN = 'stitcher-test-admin-token';

/**
 * What most stitcher tests stand on: an isolated environment, test media encoded once,
 * livepeer-local and the relay fixture (rows and pushes). One call to start, one to close.
 */
export class StitcherScene {
  private constructor(
    readonly env: TestEnv,
    readonly lp: LivepeerLocal,
    readonly fixture: RelayFixture,
    readonly segments: SyntheticSegment[],
    private readonly cleanupMedia: () => Promise<void>,
  ) {}

  static async start(name: string, options: { mediaSeconds: number; mode: 'ffmpeg' | 'copy' | 'passthrough' }): Promise<StitcherScene> {
    const env = await TestEnv.create({ name });
    const media = await makeSegments({ seconds: options.mediaSeconds });
    const lp = await startLivepeerLocal(env, { mode: options.mode });
    const fixture = await RelayFixture.create(env, lp);
    return new StitcherScene(env, lp, fixture, media.segments, media.cleanup);
  }

  async close(): Promise<void> {
    await this.lp.app.proc.stop();
    await this.fixture.close();
    await this.cleanupMedia();
    await this.env.cleanup();
  }
}
