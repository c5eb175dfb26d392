import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { databaseConfig } from '@lib/config';
import { TestEnv } from '@lib/testing';
import { migrate, openDataSource } from '../src/data-source';
import { databaseRepositories } from '../src/database.module';
import { RenditionSegmentEntity, SegmentEntity, SessionEntity, StreamEntity } from '../src/entities';
import { SOURCE_RENDITION } from '../src/ledger-states';
import { LedgerService } from '../src/ledger.service';

/** The same migrations and entities on both databases the project supports. */
describe.each(['postgres', 'sqlite'] as const)('database on %s', (kind) => {
  let env: TestEnv;
  let ds: DataSource;
  let ledger: LedgerService;

  beforeAll(async () => {
    env = await TestEnv.create({ name: `db-${kind}`, database: kind, s3: false });
    ds = await openDataSource(databaseConfig.load(env.vars()));
    ledger = new LedgerService(ds.getRepository(SegmentEntity));
  });
  afterAll(async () => {
    await ds?.destroy();
    await env.cleanup();
  });

  it('applies the migrations once; a second run finds nothing to do', async () => {
    expect(await ds.showMigrations()).toBe(false);
    expect(await migrate(ds, databaseConfig.load(env.vars()))).toEqual([]);
  });

  it('saves and reads back a stream and a session with JSON and epoch-ms columns', async () => {
    const stream = ds.getRepository(StreamEntity).create({
      id: randomUUID(),
      name: 'demo',
      ladder: { presets: ['P240p30fps16x9'] },
      keyHash: 'a'.repeat(64),
      playbackId: 'pb' + randomUUID().slice(0, 8),
      enabled: true,
      createdAt: 1_764_000_000_123,
      updatedAt: 1_764_000_000_123,
    });
    await ds.getRepository(StreamEntity).save(stream);
    const session = ds.getRepository(SessionEntity).create({
      id: randomUUID(),
      streamId: stream.id,
      livepeerStreamId: null,
      livepeerStreamKey: null,
      livepeerPlaybackId: null,
      profiles: [{ name: '240p', width: 426, height: 240, bitrate: 600000, fps: 30 }],
      renditions: { '240p': '/stream/x/240p.m3u8' },
      state: 'starting',
      stateReason: null,
      protocol: 'rtmp',
      source: { videoCodec: 'h264', width: 640, height: 360, fps: 30 },
      targetDuration: 4,
      startedAt: Date.now(),
      endedAt: null,
    });
    await ds.getRepository(SessionEntity).save(session);
    const back = await ds.getRepository(SessionEntity).findOneByOrFail({ id: session.id });
    expect(back).toEqual(session);
    expect(typeof back.startedAt).toBe('number');
    expect((await ds.getRepository(StreamEntity).findOneByOrFail({ id: stream.id })).createdAt).toBe(1_764_000_000_123);
  });

  it('keeps the ledger moving forward only, and counts outcomes with their reasons', async () => {
    const sessionId = randomUUID();
    for (let seq = 0; seq < 4; seq++) {
      await ledger.recordIngested({
        sessionId,
        streamId: 's',
        seq,
        durationMs: 2000,
        bytes: 1000,
        resolution: '640x360',
        objectKey: `segments/${sessionId}/${seq}.ts`,
        ingestedAt: Date.now(),
      });
    }
    // Recording twice keeps one row.
    await ledger.recordIngested({
      sessionId,
      streamId: 's',
      seq: 0,
      durationMs: 1,
      bytes: 1,
      resolution: null,
      objectKey: 'x',
      ingestedAt: 0,
    });
    expect(await ledger.markQueued(sessionId, 0)).toBe(true);
    await ledger.recordAttempt(sessionId, 0, 'http://b1');
    await ledger.recordAttempt(sessionId, 0, 'http://b2');
    expect(await ledger.markUploaded(sessionId, 0, { uploadMs: 5, roundTripMs: 900 })).toBe(true);
    expect(await ledger.markDropped(sessionId, 1, 'deadline-exceeded', 'late')).toBe(true);
    expect(await ledger.markQueued(sessionId, 1)).toBe(false); // a dropped segment stays dropped
    expect(await ledger.markDropped(sessionId, 0, 'deadline-exceeded')).toBe(false); // so does an uploaded one
    expect(await ledger.markRepublished(sessionId, 0)).toBe(true);

    const first = await ledger.get(sessionId, 0);
    expect(first).toMatchObject({
      durationMs: 2000,
      attempts: 2,
      broadcasters: ['http://b1', 'http://b2'],
      state: 'republished',
      roundTripMs: 900,
    });
    expect(await ledger.counts(sessionId)).toEqual({
      total: 4,
      byState: { republished: 1, dropped: 1, ingested: 2 },
      dropReasons: { 'deadline-exceeded': 1 },
    });
    expect((await ledger.countsBySession([sessionId, 'none'])).get('none')).toMatchObject({ total: 0, reachedQueued: 0 });
    expect((await ledger.countsBySession([sessionId])).get(sessionId)).toMatchObject({
      reachedQueued: 1,
      reachedUploaded: 1,
      skippedInPlaylists: {},
    });
  });

  it('stores no attempt count: it is the number of broadcasters tried', async () => {
    const columns = (await ds.createQueryRunner().getTable('segments'))!.columns.map((c) => c.name);
    expect(columns).toContain('broadcasters');
    expect(columns).not.toContain('attempts');
  });

  it('records concurrent attempts on one row without losing any', async () => {
    const sessionId = randomUUID();
    await ledger.recordIngested({
      sessionId,
      streamId: 's',
      seq: 0,
      durationMs: 2000,
      bytes: 1,
      resolution: null,
      objectKey: 'k',
      ingestedAt: Date.now(),
    });
    // Two writers (the worker's pool of connections, or two worker processes) at once.
    const other = await openDataSource(databaseConfig.load(env.vars()), false);
    try {
      const writers = [ledger, new LedgerService(other.getRepository(SegmentEntity))];
      const addresses = Array.from({ length: 24 }, (_, i) => `http://b${i}`);
      await Promise.all(addresses.map((address, i) => writers[i % 2].recordAttempt(sessionId, 0, address)));
      const row = (await ledger.get(sessionId, 0))!;
      expect([...row.broadcasters].sort()).toEqual([...addresses].sort());
      expect(row.attempts).toBe(addresses.length);
    } finally {
      await other.destroy();
    }
  });

  it('counts the seqs the stitcher skipped although the ledger has them delivered', async () => {
    const sessionId = randomUUID();
    for (const seq of [0, 1]) {
      await ledger.recordIngested({
        sessionId,
        streamId: 's',
        seq,
        durationMs: 2000,
        bytes: 1,
        resolution: null,
        objectKey: 'k',
        ingestedAt: 0,
      });
      await ledger.markUploaded(sessionId, seq, { uploadMs: 1, roundTripMs: 1 });
    }
    const { renditions } = databaseRepositories(ds);
    const common = { sessionId, seq: 1, playbackId: 'pb-skip', discontinuity: false };
    await renditions.record(
      common,
      [],
      [
        { rendition: SOURCE_RENDITION, reason: 'not-in-playlist' },
        { rendition: '240p', reason: 'not-in-playlist' },
      ],
    );
    expect((await ledger.countsBySession([sessionId])).get(sessionId)).toMatchObject({
      total: 2,
      reachedUploaded: 2,
      skippedInPlaylists: { 'not-in-playlist': 1 },
    });
  });

  it('enforces one media sequence number per (playback id, rendition)', async () => {
    const repo = ds.getRepository(RenditionSegmentEntity);
    const row = { playbackId: 'pbx', rendition: '240p', state: 'republished' as const, msn: 0, republishedAt: Date.now() };
    await repo.insert({ ...row, sessionId: 'a', seq: 0 });
    await expect(repo.insert({ ...row, sessionId: 'b', seq: 0 })).rejects.toThrow();
  });
});
