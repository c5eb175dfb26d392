import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { databaseConfig } from '@lib/config';
import { TestEnv } from '@lib/testing';
import { openDataSource } from '../src/data-source';
import { databaseRepositories } from '../src/database.module';
import type { WebhookDeliveryEntity } from '../src/entities';

/** The webhook, API key, statistics and stream-deletion queries on both databases the project supports. */
describe.each(['postgres', 'sqlite'] as const)('webhooks, keys and statistics on %s', (kind) => {
  let env: TestEnv;
  let ds: DataSource;
  let repos: ReturnType<typeof databaseRepositories>;

  beforeAll(async () => {
    env = await TestEnv.create({ name: `db-hooks-${kind}`, database: kind, s3: false });
    ds = await openDataSource(databaseConfig.load(env.vars()));
    repos = databaseRepositories(ds);
  });
  afterAll(async () => {
    await ds?.destroy();
    await env.cleanup();
  });

  const delivery = (fields: Partial<WebhookDeliveryEntity>): WebhookDeliveryEntity => ({
    id: randomUUID(),
    endpointId: 'e1',
    eventId: 'evt1',
    eventType: 'stream.started',
    streamId: 's1',
    sequence: 1_764_000_000_000_000,
    body: '{}',
    status: 'pending',
    attempts: 0,
    responseStatus: null,
    latencyMs: null,
    responseSnippet: null,
    error: null,
    createdAt: 1,
    updatedAt: 1,
    deliveredAt: null,
    ...fields,
  });

  it('logs one delivery per (event, endpoint), orders them per stream and counts attempts', async () => {
    const d = repos.webhookDeliveries;
    const first = delivery({});
    expect(await d.insertOnce(first)).toBe(true);
    expect(await d.insertOnce(delivery({}))).toBe(false); // the same event for the same endpoint
    const later = delivery({ eventId: 'evt2', sequence: first.sequence + 1 });
    expect(await d.insertOnce(later)).toBe(true);
    expect(await d.earlierPending(later)).toBe(true);
    expect(await d.earlierPending(first)).toBe(false);
    await d.attempted(first.id, 'pending', { responseStatus: 503, latencyMs: 5, responseSnippet: 'busy', error: null });
    await d.attempted(first.id, 'delivered', { responseStatus: 200, latencyMs: 4, responseSnippet: 'ok', error: null });
    expect(await d.get(first.id)).toMatchObject({ status: 'delivered', attempts: 2, responseStatus: 200, deliveredAt: expect.any(Number) });
    expect(await d.earlierPending(later)).toBe(false);
    expect((await d.statusCounts(['e1'])).get('e1')).toEqual({ delivered: 1, pending: 1 });
    expect((await d.list({ endpointId: 'e1', limit: 10, offset: 0, status: 'pending' })).map((r) => r.id)).toEqual([later.id]);
  });

  it('finds active keys by hash, touches them at most once per interval, and refuses revoked ones', async () => {
    const keys = repos.apiKeys;
    const id = randomUUID();
    await keys.insert({
      id,
      name: 'k',
      scope: 'read',
      keyHash: 'f'.repeat(64),
      prefix: 'lpr_abc',
      createdAt: 1,
      lastUsedAt: null,
      revokedAt: null,
    });
    expect(await keys.active('f'.repeat(64))).toMatchObject({ id });
    await keys.touch(id, 100_000, 10_000);
    await keys.touch(id, 105_000, 10_000);
    expect((await keys.get(id))!.lastUsedAt).toBe(100_000);
    await keys.touch(id, 111_000, 10_000);
    expect((await keys.get(id))!.lastUsedAt).toBe(111_000);
    expect(await keys.revoke(id)).toBe(true);
    expect(await keys.revoke(id)).toBe(false);
    expect(await keys.active('f'.repeat(64))).toBeNull();
  });

  it('sums traffic per stream and session, and deletes a stream with its history', async () => {
    const streamId = randomUUID();
    const sessionId = randomUUID();
    await repos.streams.insert({
      id: streamId,
      name: 'Stats',
      ladder: {},
      keyHash: 'e'.repeat(64),
      playbackId: 'pbstats',
      enabled: true,
      record: false,
      dvrWindowSeconds: null,
      recordingRetentionDays: null,
      createdAt: 1,
      updatedAt: 1,
    });
    await ds.getRepository('SessionEntity').save({
      id: sessionId,
      streamId,
      livepeerStreamId: null,
      livepeerStreamKey: null,
      livepeerPlaybackId: null,
      profiles: null,
      renditions: null,
      state: 'ended',
      stateReason: null,
      protocol: 'rtmp',
      source: null,
      targetDuration: 2,
      startedAt: 1,
      endedAt: 2,
      playlistEndedAt: 2,
      purgedAt: null,
    });
    const now = Date.now();
    for (const seq of [0, 1]) {
      await repos.ledger.recordIngested({
        sessionId,
        streamId,
        seq,
        durationMs: 2000,
        bytes: 500,
        resolution: null,
        objectKey: `k${seq}`,
        ingestedAt: now - 1000,
      });
    }
    await repos.ledger.markUploaded(sessionId, 0, { uploadMs: 1, roundTripMs: 30 });
    await repos.ledger.transition(sessionId, 1, 'dropped', { dropReason: 'deadline-exceeded' });
    const byStream = (await repos.stats.byStream([streamId], now)).get(streamId)!;
    expect(byStream).toMatchObject({
      sourceSegments: 2,
      transcodedSegments: 1,
      sourceSegmentsDuration: 4,
      transcodedSegmentsDuration: 2,
      sourceBytes: 1000,
      ingestRate: 50,
      lastSeen: now - 1000,
      meanRoundTripMs: 30,
      drops: { total: 1, byReason: { 'deadline-exceeded': 1 } },
    });
    expect((await repos.stats.bySession([sessionId], now)).get(sessionId)).toEqual(byStream);
    expect(await repos.streams.page({ limit: 10, offset: 0, name: 'sta' })).toHaveLength(1);
    expect(await repos.streams.page({ limit: 10, offset: 0, enabled: false })).toHaveLength(0);

    expect(await repos.streams.deleteWithHistory(streamId)).toEqual({ sessionIds: [sessionId], playbackId: 'pbstats' });
    expect(await repos.ledger.list(sessionId)).toHaveLength(0);
    expect(await repos.sessions.get(sessionId)).toBeNull();
    expect(await repos.streams.deleteWithHistory(streamId)).toBeNull();
  });
});
