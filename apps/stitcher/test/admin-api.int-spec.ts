import { Queue, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { hashStreamKey } from '@lib/streams';
import { SEGMENT_UPLOAD_QUEUE, WEBHOOK_DELIVERY_QUEUE, bullConnection, redisKeys } from '@lib/queue';
import type { SyntheticSegment } from '@lib/media';
import { TEST_REDIS_URL, TestEnv, spawnApp, waitFor, type RunningApp } from '@lib/testing';
import { ADMIN_TOKEN, RelayFixture, stitcherEnv, type LivepeerLocal, type Publish, StitcherScene } from './helpers';

/**
 * The admin REST API on a real stitcher process, against the real database, Redis, queue and
 * livepeer-local: authentication, validation (400 with a message per field) and every endpoint.
 */
describe('stitcher admin API', () => {
  let env: TestEnv;
  let lp: LivepeerLocal;
  let fixture: RelayFixture;
  let stitcher: RunningApp;
  let segments: SyntheticSegment[];
  let scene: StitcherScene;
  const redis = new IORedis(TEST_REDIS_URL);

  const call = async (method: string, path: string, body?: unknown, token: string | null = ADMIN_TOKEN) => {
    const headers: Record<string, string> = {};
    if (token !== null) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(`${stitcher.url}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- responses of every route are read through this one helper
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    return { status: response.status, body: json, headers: response.headers };
  };

  beforeAll(async () => {
    scene = await StitcherScene.start('stitcher-admin', { mediaSeconds: 4, mode: 'passthrough' });
    ({ env, lp, fixture, segments } = scene);
    // Where encoders reach ingest, as published to them (this test runs no ingest).
    stitcher = await spawnApp(
      'stitcher',
      stitcherEnv(env, lp, {
        PUBLIC_HOST: 'relay.example',
        INGEST_PUBLIC_RTMP_URL: 'rtmp://ingest.relay.example/live',
        AUTH_FAILURE_LIMIT: 1000, // this test presents many wrong tokens on purpose; the limit has its own test
      }),
    );
  });

  afterAll(async () => {
    await stitcher?.proc.stop();
    redis.disconnect();
    await scene?.close();
  });

  describe('authentication', () => {
    const endpoints: [string, string][] = [
      ['GET', '/api/streams'],
      ['POST', '/api/streams'],
      ['GET', '/api/streams/00000000-0000-4000-8000-000000000000'],
      ['PUT', '/api/streams/00000000-0000-4000-8000-000000000000/ladder'],
      ['POST', '/api/streams/00000000-0000-4000-8000-000000000000/disable'],
      ['POST', '/api/streams/00000000-0000-4000-8000-000000000000/rotate-key'],
      ['GET', '/api/presets'],
      ['GET', '/api/sessions'],
      ['GET', '/api/sessions/00000000-0000-4000-8000-000000000000'],
      ['GET', '/api/sessions/00000000-0000-4000-8000-000000000000/segments'],
      ['GET', '/api/broadcasters'],
      ['GET', '/api/queues'],
      ['POST', '/api/queues/segment-upload/pause'],
      ['POST', '/api/queues/segment-upload/retry-failed'],
      ['GET', '/api/queues/board/'],
    ];

    it.each(endpoints)('%s %s answers 401 without the token or with a wrong one', async (method, path) => {
      const missing = await call(method, path, undefined, null);
      expect(missing.status).toBe(401);
      expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect((await call(method, path, undefined, 'not-the-admin-token')).status).toBe(401);
    });

    it("opens bull-board with the dashboard's cookie", async () => {
      const page = await fetch(`${stitcher.url}/api/queues/board/`, { headers: { Cookie: `relay_admin_token=${ADMIN_TOKEN}` } });
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<html/i);
    });
  });

  describe('streams', () => {
    let id: string;
    let firstKey: string;

    it('refuses invalid input with a message per field', async () => {
      const empty = await call('POST', '/api/streams', {});
      expect(empty.status).toBe(400);
      expect(Object.keys(empty.body.errors)).toEqual(['name']);

      const bad = await call('POST', '/api/streams', {
        name: 'x',
        ladder: {
          profiles: [
            { name: 'source', width: 100, height: 240, bitrate: 400_000, fps: 30, colour: 'red' },
            { name: 'ok', width: 320, height: 'tall', bitrate: 400_000, fps: 30 },
          ],
          presets: ['P9999p'],
        },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.errors['ladder.profiles[1].height']).toBeDefined();

      const livepeerRules = await call('POST', '/api/streams', {
        name: 'x',
        ladder: { profiles: [{ name: 'source', width: 100, height: 240, bitrate: 400_000, fps: 30, colour: 'red' }], presets: ['P9999p'] },
      });
      expect(livepeerRules.status).toBe(400);
      expect(Object.keys(livepeerRules.body.errors).sort()).toEqual([
        'ladder.presets[0]',
        'ladder.profiles[0].colour',
        'ladder.profiles[0].name',
        'ladder.profiles[0].width',
      ]);
      expect(livepeerRules.body.errors['ladder.profiles[0].width']).toEqual(['must be >= 128']);
    });

    it('creates a stream and shows its key once, with publish and playback URLs', async () => {
      const created = await call('POST', '/api/streams', {
        name: '  Studio A ',
        ladder: { profiles: [{ name: 'low', width: 256, height: 144, bitrate: 200_000, fps: 0 }], presets: ['P360p30fps16x9'] },
      });
      expect(created.status).toBe(201);
      ({ id, streamKey: firstKey } = created.body);
      expect(created.body.name).toBe('Studio A');
      expect(created.body.publishUrls.rtmp).toBe(`rtmp://ingest.relay.example/live/${firstKey}`);
      expect(created.body.publishUrls.httpPush).toMatch(/^http:\/\/relay\.example:\d+\/live\/\S+\/\{seq\}\.ts$/);
      expect(created.body.playbackUrl).toMatch(new RegExp(`^http://relay\\.example:\\d+/hls/${created.body.playbackId}/index\\.m3u8$`));
      const row = await fixture.streams.findOneBy({ id });
      expect(row!.keyHash).toBe(hashStreamKey(firstKey));

      const list = await call('GET', '/api/streams');
      const listed = list.body.find((s: { id: string }) => s.id === id);
      expect(listed).toMatchObject({ name: 'Studio A', enabled: true, liveSessionId: null });
      expect(JSON.stringify(list.body)).not.toContain(firstKey);
      expect((await call('GET', `/api/streams/${id}`)).body.ladder.presets).toEqual(['P360p30fps16x9']);
    });

    it('answers 400 for a malformed id and 404 for an unknown one', async () => {
      const malformed = await call('GET', '/api/streams/not-a-uuid');
      expect(malformed.status).toBe(400);
      expect(Object.keys(malformed.body.errors)).toEqual(['id']);
      expect((await call('GET', '/api/streams/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    });

    it('updates the ladder, disables, enables and rotates the key', async () => {
      const invalid = await call('PUT', `/api/streams/${id}/ladder`, {
        profiles: [{ name: 'a', width: 320, height: 180, bitrate: 1, fps: 0 }],
      });
      expect(invalid.status).toBe(400);
      expect(Object.keys(invalid.body.errors)).toEqual(['profiles[0].bitrate']);
      const updated = await call('PUT', `/api/streams/${id}/ladder`, { presets: ['P144p30fps16x9'] });
      expect(updated.status).toBe(200);
      expect(updated.body.ladder).toEqual({ presets: ['P144p30fps16x9'] });

      expect((await call('POST', `/api/streams/${id}/disable`)).body.enabled).toBe(false);
      expect((await fixture.streams.findOneBy({ id }))!.enabled).toBe(false);
      expect((await call('POST', `/api/streams/${id}/enable`)).body.enabled).toBe(true);

      const rotated = await call('POST', `/api/streams/${id}/rotate-key`);
      expect(rotated.status).toBe(200);
      expect(rotated.body.streamKey).not.toBe(firstKey);
      expect((await fixture.streams.findOneBy({ id }))!.keyHash).toBe(hashStreamKey(rotated.body.streamKey));
    });

    it('lists the presets a ladder may name', async () => {
      const presets = await call('GET', '/api/presets');
      expect(presets.body.map((p: { name: string }) => p.name)).toContain('P360p30fps16x9');
    });
  });

  describe('sessions', () => {
    let publish: Publish;

    beforeAll(async () => {
      const stream = await fixture.createStream('sessions', {
        profiles: [{ name: 'low', width: 256, height: 144, bitrate: 200_000, fps: 0 }],
      });
      publish = await fixture.startSession(stream);
      for (let seq = 0; seq < 3; seq++) await fixture.publishSegment(publish, seq, segments[seq % segments.length]);
      await fixture.publishSegment(publish, 3, segments[0], { push: false });
      await fixture.ledger.markDropped(publish.session.id, 3, 'broadcaster-rejected', 'HTTP 422');
      await fixture.publishSegment(publish, 4, segments[1], { push: false }); // never transcoded: waits
      await waitFor(async () => (await fixture.ledger.counts(publish.session.id)).byState.republished === 3, {
        timeoutMs: 20_000,
        what: 'three segments republished',
      });
    });

    it('lists live and ended sessions with their counts', async () => {
      const live = await call('GET', '/api/sessions?state=live');
      const mine = live.body.find((s: { id: string }) => s.id === publish.session.id);
      expect(mine).toMatchObject({
        streamName: 'sessions',
        state: 'live',
        playbackId: publish.stream.playbackId,
        renditions: ['low', 'source'],
      });
      expect(mine.counts).toMatchObject({
        ingested: 5,
        uploaded: 3,
        transcoded: 3,
        republished: 3,
        dropped: { total: 1, byReason: { 'broadcaster-rejected': 1 } },
      });
      expect(JSON.stringify(live.body)).not.toContain(publish.livepeer.streamKey);
      expect((await call('GET', '/api/sessions?state=ended')).body.map((s: { id: string }) => s.id)).not.toContain(publish.session.id);
      expect((await call('GET', `/api/sessions?streamId=${publish.stream.id}`)).body).toHaveLength(1);
    });

    it('validates the list query', async () => {
      const bad = await call('GET', '/api/sessions?state=bogus&limit=0&streamId=x');
      expect(bad.status).toBe(400);
      expect(Object.keys(bad.body.errors).sort()).toEqual(['limit', 'state', 'streamId']);
    });

    it("shows each rendition's lag behind the live edge", async () => {
      const detail = await call('GET', `/api/sessions/${publish.session.id}`);
      expect(detail.status).toBe(200);
      const low = detail.body.renditions.find((r: { name: string }) => r.name === 'low');
      expect(low).toMatchObject({ republished: 3, lastSeq: 2, lastMsn: 2, lagSegments: 2 });
      expect(low.lagSeconds).toBeGreaterThanOrEqual(0);
      expect(detail.body.counts.ingested).toBe(5);
      expect((await call('GET', '/api/sessions/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    });

    it('gives the segment timeline, per rendition', async () => {
      const timeline = await call('GET', `/api/sessions/${publish.session.id}/segments?limit=10`);
      expect(timeline.body.map((s: { seq: number }) => s.seq)).toEqual([0, 1, 2, 3, 4]);
      const [first] = timeline.body;
      expect(first).toMatchObject({
        state: 'republished',
        msn: 0,
        renditions: { low: { state: 'republished', msn: 0 }, source: { state: 'republished', msn: 0 } },
      });
      expect(first).toHaveProperty('programDateTime'); // null here: this fixture's ledger rows carry no start time
      expect(first.republishedAt).toBeGreaterThanOrEqual(first.uploadedAt);
      expect(first.uploadedAt).toBeGreaterThanOrEqual(first.ingestedAt);
      expect(timeline.body[3]).toMatchObject({ state: 'dropped', dropReason: 'broadcaster-rejected', dropDetail: 'HTTP 422' });
      expect((await call('GET', `/api/sessions/${publish.session.id}/segments?limit=-3`)).status).toBe(400);
    });

    it('shows broadcasters with health, success rate, latency and assignments', async () => {
      const [address] = lp.broadcasters;
      const keys = redisKeys(env.id);
      await redis.hset(keys.broadcasterStats(address), {
        address,
        successes: 9,
        failures: 1,
        roundTripMsTotal: 900,
        lastRoundTripMs: 80,
        lastError: 'HTTP 503',
      });
      await redis.set(keys.sessionBroadcaster(publish.session.id), address);
      const answer = await call('GET', '/api/broadcasters');
      expect(answer.body.apiError).toBeNull();
      expect(answer.body.broadcasters).toContainEqual(
        expect.objectContaining({
          address,
          listed: true,
          health: 'healthy',
          successRate: 0.9,
          meanRoundTripMs: 100,
          lastRoundTripMs: 80,
          assignments: [publish.session.id],
        }),
      );
      await redis.set(keys.broadcasterCooldown(address), '1', 'PX', 30_000);
      const cooling = (await call('GET', '/api/broadcasters')).body.broadcasters.find((b: { address: string }) => b.address === address);
      expect(cooling.health).toBe('cooling-down');
      expect(cooling.coolingDownMs).toBeGreaterThan(20_000);
    });
  });

  describe('queues', () => {
    it('counts jobs, pauses, resumes and retries failed ones', async () => {
      const connection = bullConnection(TEST_REDIS_URL);
      const queue = new Queue(SEGMENT_UPLOAD_QUEUE, { connection, prefix: env.id });
      const worker = new Worker(
        SEGMENT_UPLOAD_QUEUE,
        async () => {
          throw new Error('broadcaster gone');
        },
        { connection, prefix: env.id },
      );
      await queue.add('UploadSegment', { seq: 1 }, { jobId: 'failing-1', attempts: 1 });
      await waitFor(async () => (await queue.getFailedCount()) === 1, { what: 'a failed job' });
      await worker.close();

      const listed = await call('GET', '/api/queues');
      expect(listed.body).toEqual([
        expect.objectContaining({ name: SEGMENT_UPLOAD_QUEUE, paused: false, counts: expect.objectContaining({ failed: 1 }) }),
        expect.objectContaining({ name: WEBHOOK_DELIVERY_QUEUE, paused: false }),
      ]);
      expect((await call('POST', `/api/queues/${SEGMENT_UPLOAD_QUEUE}/pause`)).body.paused).toBe(true);
      expect(await queue.isPaused()).toBe(true);
      const retried = await call('POST', `/api/queues/${SEGMENT_UPLOAD_QUEUE}/retry-failed`);
      expect(retried.body.retried).toBe(1);
      expect(retried.body.counts.failed).toBe(0);
      expect((await call('POST', `/api/queues/${SEGMENT_UPLOAD_QUEUE}/resume`)).body.paused).toBe(false);
      expect((await call('POST', '/api/queues/nope/pause')).status).toBe(404);
      expect((await call('POST', '/api/queues/Bad%20Name/pause')).status).toBe(400);
      await queue.obliterate({ force: true });
      await queue.close();
    });
  });

  describe('documentation, metrics and dashboard', () => {
    it('publishes the OpenAPI document at /docs', async () => {
      expect((await fetch(`${stitcher.url}/docs`)).status).toBe(200);
      const doc = await (await fetch(`${stitcher.url}/docs-json`)).json();
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining([
          '/api/streams',
          '/api/streams/{id}/ladder',
          '/api/sessions/{id}/segments',
          '/api/broadcasters',
          '/api/queues/{name}/retry-failed',
        ]),
      );
      expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
      expect(doc.paths['/api/streams'].post.requestBody.content['application/json'].schema.required).toEqual(['name']);
      expect(Object.keys(doc.paths).some((p) => p.startsWith('/hls'))).toBe(false);
    });

    it("exposes the stitcher's figures on /metrics", async () => {
      const metrics = await (await fetch(`${stitcher.url}/metrics`)).text();
      for (const name of [
        'stitcher_upstream_poll_seconds',
        'stitcher_poll_lag_seconds',
        'stitcher_segment_fetch_seconds',
        'stitcher_republish_lag_seconds',
      ]) {
        expect(metrics).toMatch(new RegExp(`${name}_count\\{[^}]*rendition="low"`));
      }
    });

    it('serves the dashboard and hls.js from the relay itself', async () => {
      const page = await fetch(`${stitcher.url}/`);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('/vendor/hls/hls.min.js');
      expect(html).not.toMatch(/https?:\/\/(cdn|unpkg|jsdelivr)/);
      const hlsJs = await fetch(`${stitcher.url}/vendor/hls/hls.min.js`);
      expect(hlsJs.status).toBe(200);
      expect((await hlsJs.text()).length).toBeGreaterThan(100_000);
    });
  });
});
