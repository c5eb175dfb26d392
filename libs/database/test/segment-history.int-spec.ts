import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { databaseConfig } from '@lib/config';
import { TestEnv } from '@lib/testing';
import { openDataSource } from '../src/data-source';
import { databaseRepositories } from '../src/database.module';
import { RenditionSegmentEntity } from '../src/entities';
import type { LedgerService } from '../src/ledger.service';
import type { SegmentHistoryRepository } from '../src/repositories';

/** The dashboard's time series from the ledger, the same on both databases. */
describe.each(['postgres', 'sqlite'] as const)('segment history on %s', (kind) => {
  let env: TestEnv;
  let ds: DataSource;
  let ledger: LedgerService;
  let history: SegmentHistoryRepository;
  const T0 = 1_800_000_000_000; // a minute boundary
  const sessionId = randomUUID();
  const other = randomUUID();

  const ingest = (session: string, seq: number, at: number) =>
    ledger.recordIngested({
      sessionId: session,
      streamId: 'stream',
      seq,
      durationMs: 2000,
      bytes: 1000,
      resolution: null,
      objectKey: `segments/${session}/${seq}.ts`,
      ingestedAt: at,
    });

  const listSource = (seq: number, state: 'republished' | 'dropped', republishedAt: number, dropReason: string | null = null) =>
    ds.getRepository(RenditionSegmentEntity).insert({
      sessionId,
      seq,
      rendition: 'source',
      playbackId: 'pb',
      state,
      msn: state === 'republished' ? seq : null,
      durationMs: 2000,
      bytes: 1000,
      objectKey: null,
      discontinuity: false,
      programDateTime: null,
      dropReason: dropReason as never,
      republishedAt,
    });

  beforeAll(async () => {
    env = await TestEnv.create({ name: `history-${kind}`, database: kind, s3: false });
    ds = await openDataSource(databaseConfig.load(env.vars()));
    ({ ledger, history } = databaseRepositories(ds));
    // seq 0: an hour ago (outside the window); 1: uploaded via [a, b], listed; 2: dropped by the worker after trying a;
    // 3: uploaded via b but skipped by the stitcher; 4: just ingested.
    await ingest(sessionId, 0, T0 - 3_600_000);
    await ingest(sessionId, 1, T0 + 1000);
    await ingest(sessionId, 2, T0 + 3000);
    await ingest(sessionId, 3, T0 + 61_000);
    await ingest(sessionId, 4, T0 + 63_000);
    await ledger.recordAttempt(sessionId, 1, 'http://a');
    await ledger.recordAttempt(sessionId, 1, 'http://b');
    await ledger.markUploaded(sessionId, 1, { uploadMs: 100, roundTripMs: 400 });
    await ledger.markRepublished(sessionId, 1);
    await listSource(1, 'republished', T0 + 3500);
    await ledger.recordAttempt(sessionId, 2, 'http://a');
    await ledger.markDropped(sessionId, 2, 'deadline-exceeded');
    await ledger.recordAttempt(sessionId, 3, 'http://b');
    await ledger.markUploaded(sessionId, 3, { uploadMs: 100, roundTripMs: 600 });
    await listSource(3, 'dropped', T0 + 70_000, 'fetch-failed');
    await ingest(other, 0, T0 + 2000);
    await ledger.markDropped(other, 0, 'storage-unavailable');
  });
  afterAll(async () => {
    await ds?.destroy();
    await env.cleanup();
  });

  it("gives a session's segments in the window with round trip, republish lag and drops", async () => {
    const points = await history.sessionSegments(sessionId, T0, 100);
    expect(points).toEqual([
      { seq: 1, ingestedAt: T0 + 1000, state: 'republished', dropReason: null, roundTripMs: 400, republishLagMs: 2500 },
      { seq: 2, ingestedAt: T0 + 3000, state: 'dropped', dropReason: 'deadline-exceeded', roundTripMs: null, republishLagMs: null },
      { seq: 3, ingestedAt: T0 + 61_000, state: 'dropped', dropReason: 'fetch-failed', roundTripMs: 600, republishLagMs: null },
      { seq: 4, ingestedAt: T0 + 63_000, state: 'ingested', dropReason: null, roundTripMs: null, republishLagMs: null },
    ]);
  });

  it('reads at most the newest `limit` seqs of a session', async () => {
    expect((await history.sessionSegments(sessionId, 0, 2)).map((p) => p.seq)).toEqual([3, 4]);
    expect(await history.sessionSegments(randomUUID(), 0, 10)).toEqual([]);
  });

  it("gives the session's newest listed segment, past the skipped and unlisted ones", async () => {
    expect(await history.newestListed(sessionId)).toEqual({ seq: 1, programDateTime: null, durationMs: 2000 });
    expect(await history.newestListed(other)).toBeUndefined();
  });

  it('groups upload outcomes per minute by the broadcasters tried', async () => {
    const buckets = await history.attemptBuckets(T0, 60_000);
    const byKey = (b: { bucketStart: number; broadcasters: string[]; uploaded: boolean }) =>
      `${b.bucketStart - T0}:${b.broadcasters.join('>')}:${b.uploaded}`;
    expect(
      Object.fromEntries(buckets.map((b) => [byKey(b), { n: b.n, roundTripMsTotal: b.roundTripMsTotal, roundTrips: b.roundTrips }])),
    ).toEqual({
      '0:http://a>http://b:true': { n: 1, roundTripMsTotal: 400, roundTrips: 1 },
      '0:http://a:false': { n: 1, roundTripMsTotal: 0, roundTrips: 0 },
      '60000:http://b:true': { n: 1, roundTripMsTotal: 600, roundTrips: 1 },
    });
    await expect(history.attemptBuckets(T0, 1.5)).rejects.toThrow(/positive integer/);
  });

  it("counts each session's drops since a time: the ledger's and the stitcher's skips", async () => {
    const drops = await history.dropsSince([sessionId, other, randomUUID()], T0);
    expect(drops.get(sessionId)).toEqual({ 'deadline-exceeded': 1, 'fetch-failed': 1 });
    expect(drops.get(other)).toEqual({ 'storage-unavailable': 1 });
    expect((await history.dropsSince([sessionId], T0 + 60_000)).get(sessionId)).toEqual({ 'fetch-failed': 1 });
    expect((await history.dropsSince([], T0)).size).toBe(0);
  });
});
