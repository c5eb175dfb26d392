import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queue, Worker } from 'bullmq';
import Redis from 'ioredis';
import { databaseConfig, livepeerConfig, s3Config, stitcherConfig } from '@lib/config';
import { databaseRepositories, openDataSource, type DataSource, type SessionEntity, type StreamEntity } from '@lib/database';
import { LivepeerApiClient } from '@lib/livepeer';
import { MetricsService } from '@lib/observability';
import { CONTENT_TYPES, StorageService, objectKeys } from '@lib/storage';
import { parseMediaPlaylist, writeMediaPlaylist } from '@lib/hls';
import {
  SEGMENT_UPLOAD_QUEUE,
  UPLOAD_SEGMENT_JOB,
  redisKeys,
  repushJobId,
  uploadJobId,
  type SegmentTranscodedEvent,
  type UploadSegmentPayload,
} from '@lib/queue';
import { PlaylistHistoryValidator, TEST_REDIS_URL, TestEnv, taggedSegment } from '@lib/testing';
import { DeferredDeletes } from '../src/republish/deferred-deletes.service';
import { RepublishMetrics } from '../src/republish/republish.metrics';
import { segmentTranscodedHandler } from '../src/republish/segment-transcoded-handler';
import { SOURCE_VARIANT, SessionRepublisher, type SessionRepublisherDeps } from '../src/republish/session-republisher';
import { StreamPlaylists, type StreamPlaylistsDeps } from '../src/republish/stream-playlists';
import { StreamRepublisher } from '../src/republish/stream-republisher';
import { UploadRepush, repushPayload } from '../src/republish/upload-repush';
import { BroadcasterHosts } from '../src/upstream/broadcaster-hosts.service';
import { UpstreamClient } from '../src/upstream/upstream.client';

/**
 * The stitcher's republishing in process: the real SessionRepublisher, StreamPlaylists and
 * StreamRepublisher against a real database, S3 server and an in-process upstream (amalgamated
 * playlists and segments), with only `Date` faked so deadlines and grace periods pass at once.
 */

const SEGMENT_MS = 2000;
const POLL_MS = 200;
const DEADLINE_FACTOR = 6;
const END_GRACE_MS = 5000;
const RENDITIONS = ['low', 'high'];

/** The upstream playlists of one Livepeer stream id per rendition: which seqs each lists, and what was downloaded. */
class Upstream {
  readonly listed = new Map<string, Set<number>>();
  readonly downloads: string[] = [];
  /** Every playlist request, by URL path. */
  readonly playlistRequests: string[] = [];
  private server!: Server;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const playlist = /^\/stream\/[^/]+\/([^/]+)\.m3u8$/.exec(req.url ?? '');
      const segment = /^\/stream\/[^/]+\/([^/]+)\/(\d+)\.ts$/.exec(req.url ?? '');
      if (playlist) {
        this.playlistRequests.push(req.url!);
        const seqs = [...(this.listed.get(`${req.url}`) ?? [])].sort((a, b) => a - b);
        if (seqs.length === 0) return void res.writeHead(404).end();
        const lines = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-TARGETDURATION:2', `#EXT-X-MEDIA-SEQUENCE:${seqs[0]}`];
        for (const seq of seqs) lines.push('#EXTINF:2.000,', `${playlist[1]}/${seq}.ts`);
        return void res.writeHead(200, { 'content-type': CONTENT_TYPES.playlist }).end(lines.join('\n') + '\n');
      }
      if (segment) {
        this.downloads.push(req.url!);
        return void res.writeHead(200, { 'content-type': CONTENT_TYPES.mpegts }).end(taggedSegment(req.url!));
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Makes `rendition` of the Livepeer stream list these seqs (in addition to what it lists). */
  list(livepeerStreamId: string, rendition: string, ...seqs: number[]): void {
    const key = `/stream/${livepeerStreamId}/${rendition}.m3u8`;
    const set = this.listed.get(key) ?? new Set<number>();
    for (const seq of seqs) set.add(seq);
    this.listed.set(key, set);
  }

  downloaded(livepeerStreamId: string, rendition: string, seq: number): boolean {
    return this.downloads.includes(`/stream/${livepeerStreamId}/${rendition}/${seq}.ts`);
  }

  /** Playlist requests made for the Livepeer stream (of one rendition, if given). */
  polls(livepeerStreamId: string, rendition?: string): number {
    const prefix = `/stream/${livepeerStreamId}/${rendition ?? ''}`;
    return this.playlistRequests.filter((url) => url.startsWith(prefix)).length;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Resolves the waiters each time background work of a republisher finishes. */
class Wakes {
  private waiters: (() => void)[] = [];
  readonly wake = () => {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  };
  next(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}

describe.each(['postgres', 'sqlite'] as const)('stitcher republishing in process on %s', (database) => {
  let env: TestEnv;
  let ds: DataSource;
  let repos: ReturnType<typeof databaseRepositories>;
  let storage: StorageService;
  let upstream: Upstream;
  let playlistsDeps: StreamPlaylistsDeps;
  let sessionDeps: SessionRepublisherDeps;
  let stream: StreamEntity;
  let first: SessionEntity;
  let playlists: StreamPlaylists;
  let republisher: SessionRepublisher;
  const wakes = new Wakes();
  let uploadQueue: Queue<UploadSegmentPayload>;
  let subscriber: Redis;
  let publisher: Redis;
  /** Announcements the subscriber handed on, in order. */
  const announced: SegmentTranscodedEvent[] = [];

  const settings = {
    pollIntervalMs: POLL_MS,
    deadlineFactor: DEADLINE_FACTOR,
    playlistWindowSegments: 4,
    unlistedDeleteMinMs: 60_000,
    endGraceMs: END_GRACE_MS,
    shutdownGraceMs: 0,
    verifyIntervalMs: 0,
  };
  const advance = (ms: number) => vi.setSystemTime(Date.now() + ms);

  beforeAll(async () => {
    env = await TestEnv.create({ name: `stitcher-medium-${database}`, database });
    ds = await openDataSource(databaseConfig.load(env.vars()), true);
    repos = databaseRepositories(ds);
    storage = new StorageService(s3Config.load(env.vars()));
    await storage.ensureBucket();
    upstream = new Upstream();
    await upstream.start();
    const vars = {
      ...env.vars(),
      STITCHER_ALLOWED_SEGMENT_HOSTS: upstream.url.replace('http://', ''),
      LIVEPEER_API_URL: 'http://127.0.0.1:9/api',
    };
    const stitcher = stitcherConfig.load(vars);
    const livepeerSettings = livepeerConfig.load(vars);
    const livepeer = new LivepeerApiClient({
      apiUrl: livepeerSettings.apiUrl,
      apiKey: livepeerSettings.apiKey,
      userAgent: 'medium-test',
      timeoutMs: 1000,
    });
    const metrics = new RepublishMetrics(new MetricsService('stitcher'));
    const client = new UpstreamClient(stitcher, new BroadcasterHosts(livepeer, stitcher, livepeerSettings));
    playlistsDeps = { settings, renditions: repos.renditions, storage, deletes: new DeferredDeletes(storage), metrics };
    uploadQueue = new Queue<UploadSegmentPayload>(SEGMENT_UPLOAD_QUEUE, { prefix: env.id, connection: { url: TEST_REDIS_URL } });
    const repush = new UploadRepush(uploadQueue);
    sessionDeps = {
      settings,
      playbackUrl: upstream.url,
      ledger: repos.ledger,
      renditions: repos.renditions,
      upstream: client,
      storage,
      metrics,
      repush,
    };
    // The announcement channel as the coordinator reads it, routed to the republisher under test.
    subscriber = new Redis(TEST_REDIS_URL);
    publisher = new Redis(TEST_REDIS_URL);
    const onMessage = segmentTranscodedHandler(
      (event) => {
        announced.push(event);
        republisher.notify(event);
      },
      () => undefined,
    );
    subscriber.on('message', (_channel, message) => onMessage(message));
    await subscriber.subscribe(redisKeys(env.id).segmentTranscodedChannel());
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now());
    stream = await createStream();
  });

  afterAll(async () => {
    vi.useRealTimers();
    await uploadQueue?.close();
    subscriber?.disconnect();
    publisher?.disconnect();
    await upstream?.close();
    await ds?.destroy();
    await env?.cleanup();
  });

  async function createStream(): Promise<StreamEntity> {
    const row: StreamEntity = {
      id: randomUUID(),
      name: 'medium',
      ladder: { presets: [] },
      keyHash: randomBytes(32).toString('hex'),
      playbackId: randomBytes(8).toString('hex'),
      enabled: true,
      record: false,
      dvrWindowSeconds: null,
      recordingRetentionDays: null,
      createdAt: Date.now(),
      updatedAt: Date.now(),
    };
    await repos.streams.insert(row);
    return row;
  }

  async function startSession(): Promise<SessionEntity> {
    const livepeerStreamId = randomUUID();
    const session: SessionEntity = {
      id: randomUUID(),
      streamId: stream.id,
      livepeerStreamId,
      livepeerStreamKey: null,
      livepeerPlaybackId: null,
      profiles: null,
      renditions: Object.fromEntries(RENDITIONS.map((r) => [r, `/stream/${livepeerStreamId}/${r}.m3u8`])),
      state: 'live',
      stateReason: null,
      protocol: 'http',
      source: null,
      targetDuration: 2,
      startedAt: Date.now(),
      endedAt: null,
      playlistEndedAt: null,
      purgedAt: null,
      recordingId: null,
    };
    await repos.sessions.insert(session);
    return session;
  }

  /** When ingest says the seq's first frame arrived: one segment duration after the previous one's. */
  const startedAtOf = (session: SessionEntity, seq: number) => session.startedAt + seq * SEGMENT_MS;

  /** Per variant, msn -> program date-time, as the media playlist in the bucket lists them. */
  async function programDateTimes(): Promise<Record<string, Map<number, number | undefined>>> {
    const out: Record<string, Map<number, number | undefined>> = {};
    for (const v of VARIANTS) {
      const playlist = parseMediaPlaylist((await storage.getBuffer(objectKeys.hlsMedia(stream.playbackId, v))).toString());
      out[v] = new Map(playlist.segments.map((segment, i) => [playlist.mediaSequence + i, segment.programDateTime]));
    }
    return out;
  }

  /** What ingest and the worker do for one segment: the source object and its ledger row, delivered. */
  async function ingest(session: SessionEntity, seq: number, options: { deliver?: boolean } = {}): Promise<void> {
    const objectKey = objectKeys.sourceSegment(session.id, seq);
    await storage.put(objectKey, taggedSegment(`source ${seq}`), CONTENT_TYPES.mpegts);
    await repos.ledger.recordIngested({
      sessionId: session.id,
      streamId: session.streamId,
      seq,
      durationMs: SEGMENT_MS,
      bytes: 1504,
      resolution: null,
      objectKey,
      ingestedAt: Date.now(),
      startedAt: startedAtOf(session, seq),
    });
    if (options.deliver !== false) await repos.ledger.markUploaded(session.id, seq, { uploadMs: 1, roundTripMs: 1 });
  }

  /**
   * What the worker does for a seq whose push answer had renditions (each stored in the bucket,
   * the ledger row uploaded with their keys) or none (`renditions: null`, the playlist path); the
   * announcement is published on the real channel unless `announce` is false.
   */
  async function transcoded(
    session: SessionEntity,
    seq: number,
    renditions: string[] | null,
    options: { announce?: boolean } = {},
  ): Promise<void> {
    await ingest(session, seq, { deliver: false });
    let keys: Record<string, string> | null = null;
    if (renditions) {
      keys = {};
      for (const name of renditions) {
        keys[name] = objectKeys.transcodedSegment(session.id, name, seq);
        await storage.put(keys[name], taggedSegment(`${name} ${seq} from the push answer`), CONTENT_TYPES.mpegts);
      }
    }
    await repos.ledger.markUploaded(session.id, seq, { uploadMs: 1, roundTripMs: 1, renditions: keys });
    if (options.announce === false) return;
    const seen = announced.length;
    const event: SegmentTranscodedEvent = {
      sessionId: session.id,
      streamId: session.streamId,
      seq,
      uploadedAt: Date.now(),
      renditions: keys,
    };
    await publisher.publish(redisKeys(env.id).segmentTranscodedChannel(), JSON.stringify(event));
    await vi.waitUntil(() => announced.length > seen, { timeout: 5000, interval: 10 });
  }

  /** Steps without the clock moving: only what an announcement started runs. */
  async function stepNow(): Promise<void> {
    for (let i = 0; i < 10; i++) {
      await republisher.tick();
      if (republisher.pendingWork === 0) return;
      while (republisher.pendingWork > 0) await wakes.next();
    }
  }

  /** A copy of the stitcher taking the stream: its playlists loaded and the session opened from the rows. */
  async function takeOver(session: SessionEntity): Promise<void> {
    playlists = new StreamPlaylists({ id: stream.id, playbackId: stream.playbackId }, playlistsDeps, () => undefined);
    await playlists.load();
    republisher = new SessionRepublisher(session, playlists, sessionDeps, wakes.wake);
    await republisher.open();
  }

  /** One poll interval later: steps until the polls and downloads they start have all finished. */
  async function round(): Promise<void> {
    advance(POLL_MS);
    for (let i = 0; i < 10; i++) {
      await republisher.tick();
      if (republisher.pendingWork === 0) return;
      while (republisher.pendingWork > 0) await wakes.next();
    }
  }

  /** Per variant, the seq -> msn (null = skipped) of the session's rows. */
  async function rowsOf(
    session: SessionEntity,
  ): Promise<Map<number, Record<string, { msn: number | null; reason: string | null; discontinuity: boolean }>>> {
    const out = new Map<number, Record<string, { msn: number | null; reason: string | null; discontinuity: boolean }>>();
    const seqs = (await repos.ledger.list(session.id)).map((r) => r.seq);
    for (const row of await repos.renditions.forSeqs(session.id, seqs)) {
      out.set(row.seq, {
        ...out.get(row.seq),
        [row.rendition]: { msn: row.msn, reason: row.dropReason, discontinuity: row.discontinuity },
      });
    }
    return out;
  }

  const VARIANTS = [...RENDITIONS, SOURCE_VARIANT];
  const listedAs = (msn: number, discontinuity = false) =>
    Object.fromEntries(VARIANTS.map((v) => [v, { msn, reason: null, discontinuity }]));

  it('lists a seq in every variant at once, and not before every variant has it', async () => {
    first = await startSession();
    await takeOver(first);
    for (const seq of [0, 1, 2]) await ingest(first, seq);
    upstream.list(first.livepeerStreamId!, 'low', 0, 1, 2);
    upstream.list(first.livepeerStreamId!, 'high', 0, 1);
    await round();
    await round();
    expect(upstream.downloaded(first.livepeerStreamId!, 'low', 2)).toBe(true); // seq 2 was ready in one variant...
    let rows = await rowsOf(first);
    expect(rows.get(0)).toEqual(listedAs(0));
    expect(rows.get(1)).toEqual(listedAs(1));
    expect(rows.has(2)).toBe(false); // ...and is listed in none
    for (const v of VARIANTS) expect(playlists.windowOf(v)!.segments.map((s) => s.msn)).toEqual([0, 1]);

    upstream.list(first.livepeerStreamId!, 'high', 2);
    await round();
    await round();
    rows = await rowsOf(first);
    expect(rows.get(2)).toEqual(listedAs(2));
    const media = (await storage.getBuffer(objectKeys.hlsMedia(stream.playbackId, 'high'))).toString();
    expect(media).toContain('2.ts');
    expect((await repos.ledger.get(first.id, 2))!.state).toBe('republished');
  });

  it('lists a seq one variant never lists at its deadline with #EXT-X-GAP there, without waiting in real time', async () => {
    await ingest(first, 3);
    await ingest(first, 4);
    upstream.list(first.livepeerStreamId!, 'low', 3, 4);
    upstream.list(first.livepeerStreamId!, 'high', 4);
    await round();
    await round();
    expect(upstream.downloaded(first.livepeerStreamId!, 'high', 4)).toBe(true); // the loop ran past seq 3...
    expect((await rowsOf(first)).has(3)).toBe(false); // ...and waits for it before its deadline
    advance(DEADLINE_FACTOR * SEGMENT_MS);
    await round();
    const rows = await rowsOf(first);
    expect(rows.get(3)).toEqual({
      low: { msn: 3, reason: null, discontinuity: false },
      high: { msn: 3, reason: 'not-in-playlist', discontinuity: false },
      source: { msn: 3, reason: null, discontinuity: false },
    });
    expect(playlists.windowOf('high')!.segments.at(-2)).toMatchObject({ msn: 3, gap: true });
    const high = (await storage.getBuffer(objectKeys.hlsMedia(stream.playbackId, 'high'))).toString();
    expect(high).toMatch(/#EXT-X-GAP\n#EXTINF:2\.000,\n3\.ts\n/);
    // The variants stay aligned: the next seq follows at the next msn, in every variant, without a discontinuity.
    expect(rows.get(4)).toEqual(listedAs(4));
    expect((await repos.ledger.get(first.id, 3))!.state).toBe('republished');
  });

  it('skips a seq the worker dropped as unplayable at once, in every variant, without waiting for its deadline', async () => {
    await ingest(first, 5, { deliver: false });
    await repos.ledger.markDropped(first.id, 5, 'broadcaster-rejected');
    await round();
    const rows = await rowsOf(first);
    expect(rows.get(5)).toEqual(
      Object.fromEntries(VARIANTS.map((v) => [v, { msn: null, reason: 'not-in-playlist', discontinuity: false }])),
    );
    const counts = (await repos.ledger.countsBySession([first.id])).get(first.id)!;
    expect(counts.dropReasons).toEqual({ 'broadcaster-rejected': 1 });
    // Seq 3 was listed (in the source, with a gap in `high`), not skipped; seq 5's drop is the worker's.
    expect(counts.skippedInPlaylists).toEqual({});
  });

  it('continues the media sequence from the rows after a restart or takeover', async () => {
    const before = await programDateTimes();
    const written = Object.fromEntries(
      await Promise.all(
        VARIANTS.map(async (v) => [v, (await storage.getBuffer(objectKeys.hlsMedia(stream.playbackId, v))).toString()] as const),
      ),
    );
    await takeOver(first); // new objects: nothing carried over but the database
    for (const v of VARIANTS) expect(playlists.windowOf(v)!.segments.map((s) => s.msn)).toEqual([1, 2, 3, 4]);
    // The rebuilt windows (the gap in `high` too) are the playlists the previous copy wrote, program date-times included.
    for (const v of VARIANTS) expect(writeMediaPlaylist(playlists.windowOf(v)!), v).toBe(written[v]);
    await ingest(first, 6);
    upstream.list(first.livepeerStreamId!, 'low', 6);
    upstream.list(first.livepeerStreamId!, 'high', 6);
    await round();
    await round();
    const rows = await rowsOf(first);
    expect(rows.get(6)).toEqual(listedAs(5, true)); // seq 5 was skipped: 6 does not follow the last listed seq 4
    // Every segment has the time its first frame reached ingest, the same in every variant, also
    // the one listed after the takeover and after the skipped seq.
    const after = await programDateTimes();
    const seqOfMsn = [0, 1, 2, 3, 4, 6];
    for (const v of VARIANTS) {
      expect([...after[v]], v).toEqual([2, 3, 4, 5].map((msn) => [msn, startedAtOf(first, seqOfMsn[msn])]));
      for (const [msn, at] of before[v]) if (after[v].has(msn)) expect(after[v].get(msn), `${v} msn ${msn}`).toBe(at);
    }
    const stored = await repos.renditions.forSeqs(first.id, [6]);
    expect(stored.map((r) => r.programDateTime)).toEqual(VARIANTS.map(() => startedAtOf(first, 6)));
    expect(upstream.downloaded(first.livepeerStreamId!, 'low', 0)).toBe(true);
    expect(upstream.downloads.filter((d) => d.endsWith('/low/0.ts'))).toHaveLength(1); // nothing resolved is fetched again
  });

  it('puts a discontinuity before the first segment of a new session of the stream', async () => {
    await ingest(first, 7);
    upstream.list(first.livepeerStreamId!, 'low', 7);
    upstream.list(first.livepeerStreamId!, 'high', 7);
    await round();
    await round();
    expect((await rowsOf(first)).get(7)).toEqual(listedAs(6));
    await repos.sessions.update(first.id, { state: 'ended', endedAt: Date.now() });
    const second = await startSession();
    republisher = new SessionRepublisher(second, playlists, sessionDeps, wakes.wake);
    await republisher.open();
    await ingest(second, 0);
    upstream.list(second.livepeerStreamId!, 'low', 0);
    upstream.list(second.livepeerStreamId!, 'high', 0);
    await round();
    await round();
    expect((await rowsOf(second)).get(0)).toEqual(listedAs(7, true));
    const media = (await storage.getBuffer(objectKeys.hlsMedia(stream.playbackId, 'low'))).toString();
    expect(media).toMatch(/#EXT-X-DISCONTINUITY\n#EXT-X-PROGRAM-DATE-TIME:[^\n]+\n#EXTINF:2(\.0+)?,\n7\.ts/);
    // The new session's own clock dates its first segment, never before the previous one ended.
    expect((await programDateTimes()).low.get(7)).toBe(Math.max(startedAtOf(second, 0), startedAtOf(first, 7) + SEGMENT_MS));
    await repos.sessions.update(first.id, { playlistEndedAt: Date.now() });
    first = second;
  });

  it('writes ENDLIST only after the end grace, and closes the session', async () => {
    await repos.sessions.update(first.id, { state: 'ended', endedAt: Date.now() });
    const session = (await repos.sessions.get(first.id))!;
    const deleted: string[] = [];
    let ticks = 0;
    let current: SessionRepublisher | undefined;
    const writer = new StreamRepublisher(
      { id: stream.id, playbackId: stream.playbackId },
      {
        settings,
        playbackUrl: upstream.url,
        sessions: repos.sessions,
        livepeer: { deleteStream: async (id: string) => (deleted.push(id), 'deleted' as const) },
        playlists: (assertLease) => new StreamPlaylists({ id: stream.id, playbackId: stream.playbackId }, playlistsDeps, assertLease),
        republisher: (s, p, wake) => {
          current = new SessionRepublisher(s, p, sessionDeps, wake);
          const tick = current.tick.bind(current);
          current.tick = async () => {
            await tick();
            ticks += 1;
          };
          return current;
        },
      },
      () => true,
      () => undefined,
    );
    writer.update([session]);
    writer.start();
    try {
      // Drained: every step after that decides on the grace period.
      await vi.waitUntil(() => current?.drained, { timeout: 10_000, interval: 20 });
      const seen = ticks;
      await vi.waitUntil(() => ticks >= seen + 2, { timeout: 10_000, interval: 20 });
      let media = (await storage.getBuffer(objectKeys.hlsMedia(stream.playbackId, 'low'))).toString();
      expect(media).not.toContain('#EXT-X-ENDLIST');
      expect((await repos.sessions.get(session.id))!.playlistEndedAt).toBeNull();

      advance(END_GRACE_MS + 1);
      writer.update([session]);
      await vi.waitUntil(async () => (await repos.sessions.get(session.id))!.playlistEndedAt !== null, { timeout: 10_000, interval: 20 });
      for (const v of VARIANTS) {
        media = (await storage.getBuffer(objectKeys.hlsMedia(stream.playbackId, v))).toString();
        expect(media.trimEnd().endsWith('#EXT-X-ENDLIST')).toBe(true);
        expect(media).toContain('7.ts');
      }
      await vi.waitUntil(() => deleted.length > 0, { timeout: 5000, interval: 20 });
      expect(deleted).toEqual([session.livepeerStreamId]);
      expect(writer.idle).toBe(true);
    } finally {
      await writer.stop();
    }
  });
  describe('renditions from the push answer', () => {
    let session: SessionEntity;
    const bytesOf = async (variant: string, msn: number) =>
      (await storage.getBuffer(objectKeys.hlsSegment(stream.playbackId, variant, msn))).toString('latin1');

    beforeAll(async () => {
      stream = await createStream();
      session = await startSession();
      await takeOver(session);
    });

    it('lists them from the bucket through the same frontier, without one upstream poll', async () => {
      await transcoded(session, 0, RENDITIONS);
      await transcoded(session, 1, RENDITIONS);
      await round();
      await round();
      const rows = await rowsOf(session);
      expect(rows.get(0)).toEqual(listedAs(0));
      expect(rows.get(1)).toEqual(listedAs(1));
      expect(await bytesOf('high', 1)).toContain('high 1 from the push answer');
      expect(upstream.polls(session.livepeerStreamId!)).toBe(0);
    });

    it('polls at once on an announcement without renditions, and switches paths from one seq to the next', async () => {
      await transcoded(session, 2, null);
      upstream.list(session.livepeerStreamId!, 'low', 2);
      upstream.list(session.livepeerStreamId!, 'high', 2);
      await stepNow();
      expect((await rowsOf(session)).get(2)).toEqual(listedAs(2));
      const polled = upstream.polls(session.livepeerStreamId!);
      expect(polled).toBeGreaterThan(0);

      // The clock has not moved: only the announcement makes the next poll happen now.
      await transcoded(session, 3, null);
      upstream.list(session.livepeerStreamId!, 'low', 3);
      upstream.list(session.livepeerStreamId!, 'high', 3);
      await stepNow();
      expect((await rowsOf(session)).get(3)).toEqual(listedAs(3));
      expect(upstream.polls(session.livepeerStreamId!)).toBeGreaterThan(polled);

      // Back to the push answer: no poll for seqs with every rendition in the bucket.
      const before = upstream.polls(session.livepeerStreamId!);
      await transcoded(session, 4, RENDITIONS);
      await round();
      await round();
      expect((await rowsOf(session)).get(4)).toEqual(listedAs(4)); // no hole, no repeat, no discontinuity
      expect(upstream.polls(session.livepeerStreamId!)).toBe(before);
      expect(await bytesOf('low', 4)).toContain('low 4 from the push answer');
      expect(upstream.downloaded(session.livepeerStreamId!, 'low', 4)).toBe(false);
      for (const v of VARIANTS) expect(playlists.windowOf(v)!.segments.map((s) => s.msn)).toEqual([1, 2, 3, 4]);
    });

    it('takes a variant the answer lacks from its playlist, and ignores a name the session does not republish', async () => {
      const lowBefore = upstream.polls(session.livepeerStreamId!, 'low');
      await transcoded(session, 5, ['low', 'extra']);
      upstream.list(session.livepeerStreamId!, 'high', 5);
      await round();
      await round();
      expect((await rowsOf(session)).get(5)).toEqual(listedAs(5));
      expect(upstream.downloaded(session.livepeerStreamId!, 'high', 5)).toBe(true);
      expect(upstream.downloaded(session.livepeerStreamId!, 'low', 5)).toBe(false);
      expect(upstream.polls(session.livepeerStreamId!, 'low')).toBe(lowBefore);
    });

    it('after a restart, takes them from the ledger rows without any announcement', async () => {
      await takeOver(session);
      const before = upstream.polls(session.livepeerStreamId!);
      await transcoded(session, 6, RENDITIONS, { announce: false });
      await round();
      await round();
      expect((await rowsOf(session)).get(6)).toEqual(listedAs(6));
      expect(upstream.polls(session.livepeerStreamId!)).toBe(before);
    });

    it('pushes an uploaded seq that is not coming again, then lists its source with gaps before players would stall', async () => {
      await transcoded(session, 7, null); // uploaded, but its broadcaster died: no playlist will list it
      await transcoded(session, 8, RENDITIONS);
      await round();
      await vi.waitUntil(() => uploadQueue.getJob(repushJobId(session.id, 7)), { timeout: 5000, interval: 20 });
      const job = (await uploadQueue.getJob(repushJobId(session.id, 7)))!;
      expect(job.data).toMatchObject({
        sessionId: session.id,
        streamId: session.streamId,
        livepeerStreamId: session.livepeerStreamId,
        seq: 7,
        objectKey: objectKeys.sourceSegment(session.id, 7),
        durationMs: SEGMENT_MS,
        repush: true,
      });
      expect((await rowsOf(session)).has(7)).toBe(false); // the push again may still bring it

      // A target duration after the last listing, with seq 8 ready: seq 7 is given up in the
      // renditions (listed with #EXT-X-GAP), long before its deadline; the source lists it.
      advance(SEGMENT_MS);
      await round();
      const rows = await rowsOf(session);
      expect(rows.get(7)).toEqual({
        low: { msn: 7, reason: 'not-in-playlist', discontinuity: false },
        high: { msn: 7, reason: 'not-in-playlist', discontinuity: false },
        source: { msn: 7, reason: null, discontinuity: false },
      });
      expect(rows.get(8)).toEqual(listedAs(8));
      expect(Date.now()).toBeLessThan((await repos.ledger.get(session.id, 7))!.ingestedAt + DEADLINE_FACTOR * SEGMENT_MS);
    });

    it('pushes a queued seq again at once when the worker holding its upload job is gone, not while it lives', async () => {
      await ingest(session, 9, { deliver: false });
      await repos.ledger.markQueued(session.id, 9);
      const { repush: _, ...payload } = repushPayload(session, (await repos.ledger.get(session.id, 9))!);
      await uploadQueue.drain(); // the worker below must take this job, not an earlier case's
      await uploadQueue.add(UPLOAD_SEGMENT_JOB, payload, { jobId: uploadJobId(session.id, 9) });
      // A worker takes the job and never finishes it (its push is in flight).
      let taken!: () => void;
      const tookIt = new Promise<void>((resolve) => (taken = resolve));
      const worker = new Worker(
        SEGMENT_UPLOAD_QUEUE,
        () => {
          taken();
          return new Promise(() => undefined);
        },
        { prefix: env.id, connection: { url: TEST_REDIS_URL }, name: 'worker-about-to-die', lockDuration: 30_000 },
      );
      await tookIt;
      const checked = async () => {
        const spy = vi.spyOn(sessionDeps.repush, 'heldByDeadWorker');
        advance(300); // checks run a while after the job was enqueued, and a while apart
        await round();
        await vi.waitUntil(() => spy.mock.results.length > 0 && republisher.pendingWork === 0, { timeout: 5000, interval: 20 });
        const answer = await spy.mock.results[0].value;
        spy.mockRestore();
        return answer as boolean;
      };
      // Alive: its job is only slow; nothing is pushed again.
      expect(await checked()).toBe(false);
      expect(await uploadQueue.getJob(repushJobId(session.id, 9))).toBeUndefined();

      // The process dies: its connections close, the job stays active under its lock.
      await worker.close(true);
      expect(await (await uploadQueue.getJob(uploadJobId(session.id, 9)))!.isActive()).toBe(true);
      advance(500); // past the live-worker cache
      expect(await checked()).toBe(true);
      await round();
      await vi.waitUntil(() => uploadQueue.getJob(repushJobId(session.id, 9)), { timeout: 5000, interval: 20 });
      expect((await uploadQueue.getJob(repushJobId(session.id, 9)))!.data).toMatchObject({ sessionId: session.id, seq: 9, repush: true });
    });
  });

  describe('renditions missing (no broadcaster can take the segments)', () => {
    let session: SessionEntity;
    const validators = new Map(VARIANTS.map((v) => [v, new PlaylistHistoryValidator({ targetDuration: 2 })]));
    /** Feeds every variant's current playlist to its validator (each version a player could read). */
    async function observe(): Promise<void> {
      for (const v of VARIANTS) {
        const key = objectKeys.hlsMedia(stream.playbackId, v);
        if (await storage.stat(key)) validators.get(v)!.push((await storage.getBuffer(key)).toString());
      }
    }
    const gapsOf = (v: string) => playlists.windowOf(v)!.segments.map((s) => [s.msn, Boolean(s.gap)]);

    beforeAll(async () => {
      stream = await createStream();
      session = await startSession();
      await takeOver(session);
    });

    it('keeps the source advancing with the source, with #EXT-X-GAP in every rendition', async () => {
      await transcoded(session, 0, RENDITIONS);
      await round();
      await observe();
      expect((await rowsOf(session)).get(0)).toEqual(listedAs(0));
      // Every broadcaster down: ingest goes on, the worker never delivers.
      for (const seq of [1, 2, 3, 4]) {
        await ingest(session, seq, { deliver: false });
        await round();
        await observe();
        // The frontier seq was not delivered: it is waited for 1.25 target durations after the last listing.
        advance(1.25 * SEGMENT_MS - POLL_MS);
        await round();
        await observe();
      }
      const rows = await rowsOf(session);
      for (const seq of [1, 2, 3]) {
        expect(rows.get(seq), `seq ${seq}`).toEqual({
          low: { msn: seq, reason: 'not-in-playlist', discontinuity: false },
          high: { msn: seq, reason: 'not-in-playlist', discontinuity: false },
          source: { msn: seq, reason: null, discontinuity: false },
        });
      }
      // Long before any deadline (6 x 2 s): the source paces the playlists, not the deadline.
      expect(Date.now() - (await repos.ledger.get(session.id, 1))!.ingestedAt).toBeLessThan(DEADLINE_FACTOR * SEGMENT_MS);
      expect(gapsOf('low')).toEqual([
        [0, false],
        [1, true],
        [2, true],
        [3, true],
      ]);
      expect(gapsOf('source').every(([, gap]) => !gap)).toBe(true);
      expect(await storage.stat(objectKeys.hlsSegment(stream.playbackId, 'low', 2))).toBeFalsy(); // nothing stored for a gap
    });

    it('lists the source of a seq the worker dropped at its deadline at once, with gaps', async () => {
      await ingest(session, 5, { deliver: false });
      await repos.ledger.markDropped(session.id, 5, 'deadline-exceeded');
      await ingest(session, 6, { deliver: false });
      await round();
      await observe();
      const rows = await rowsOf(session);
      expect(rows.get(4)?.source).toEqual({ msn: 4, reason: null, discontinuity: false }); // its turn came: a later source was ready
      expect(rows.get(5)).toEqual({
        low: { msn: 5, reason: 'not-in-playlist', discontinuity: false },
        high: { msn: 5, reason: 'not-in-playlist', discontinuity: false },
        source: { msn: 5, reason: null, discontinuity: false },
      });
      expect((await repos.ledger.get(session.id, 5))!.state).toBe('dropped'); // the ledger keeps the worker's outcome
    });

    it('a takeover rebuilds the gaps from the rows, and the renditions come back at the next msn without a discontinuity', async () => {
      const written = Object.fromEntries(
        await Promise.all(
          VARIANTS.map(async (v) => [v, (await storage.getBuffer(objectKeys.hlsMedia(stream.playbackId, v))).toString()] as const),
        ),
      );
      await takeOver(session);
      for (const v of VARIANTS) expect(writeMediaPlaylist(playlists.windowOf(v)!), v).toBe(written[v]);
      await repos.ledger.markUploaded(session.id, 6, { uploadMs: 1, roundTripMs: 1 });
      upstream.list(session.livepeerStreamId!, 'low', 6);
      upstream.list(session.livepeerStreamId!, 'high', 6);
      await round();
      await round();
      await observe();
      expect((await rowsOf(session)).get(6)).toEqual(listedAs(6));
      expect(playlists.windowOf('low')!.segments.at(-1)).toEqual(expect.objectContaining({ msn: 6, discontinuity: false }));
      expect(playlists.windowOf('low')!.segments.at(-1)!.gap).toBeFalsy();
      for (const v of VARIANTS) {
        expect(validators.get(v)!.versionCount, v).toBeGreaterThan(3);
        expect(validators.get(v)!.violations, v).toEqual([]);
      }
      // The ledger counts: nothing was skipped in the playlists, the worker's drop is its own.
      const counts = (await repos.ledger.countsBySession([session.id])).get(session.id)!;
      expect(counts.skippedInPlaylists).toEqual({});
      expect(counts.dropReasons).toEqual({ 'deadline-exceeded': 1 });
    });
  });

  describe('a session published while the Livepeer API was down', () => {
    it('republishes the source alone until its Livepeer stream exists, then the renditions join at the next msn', async () => {
      stream = await createStream();
      const live = await startSession();
      const session = { ...live, state: 'starting' as const, livepeerStreamId: null, renditions: null };
      await repos.sessions.update(session.id, { state: 'starting', livepeerStreamId: null, renditions: null });
      await takeOver(session);
      expect(republisher.variants).toEqual([SOURCE_VARIANT]);
      // Ingest recorded the segments; no Livepeer stream to enqueue them for: dropped at their deadline.
      await ingest(session, 0, { deliver: false });
      await repos.ledger.markDropped(session.id, 0, 'no-livepeer-stream');
      await ingest(session, 1, { deliver: false });
      await round();
      await round();
      let rows = await rowsOf(session);
      expect(rows.get(0)).toEqual({ source: { msn: 0, reason: null, discontinuity: false } });
      expect(rows.get(1)).toEqual({ source: { msn: 1, reason: null, discontinuity: false } });

      // The API answers again: ingest records the stream (StreamRepublisher hands the fresh row over).
      republisher.session = { ...session, state: 'live', livepeerStreamId: live.livepeerStreamId, renditions: live.renditions };
      await transcoded(session, 2, RENDITIONS);
      await round();
      await round();
      rows = await rowsOf(session);
      expect(rows.get(2)).toEqual(listedAs(2));
      expect(republisher.variants).toEqual([...RENDITIONS, SOURCE_VARIANT]);
      for (const v of RENDITIONS) {
        const playlist = parseMediaPlaylist((await storage.getBuffer(objectKeys.hlsMedia(stream.playbackId, v))).toString());
        expect([playlist.mediaSequence, playlist.segments.length], v).toEqual([2, 1]);
      }
    });
  });
});
