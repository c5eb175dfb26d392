import type { SyntheticSegment } from '@lib/media';
import { objectKeys } from '@lib/storage';
import { spawnApp, waitFor, type RunningApp } from '@lib/testing';
import { ADMIN_TOKEN, RelayFixture, stitcherEnv, type LivepeerLocal, type Publish, StitcherScene } from './helpers';

/**
 * The endpoints behind the dashboard's live overview and charts on a real stitcher process:
 * the ticketed event stream (EventSource cannot send the bearer token), the overview document
 * and the history series, computed from the real ledger and queue.
 */
/** A broadcaster the ledger says refused a push (the scene runs one real broadcaster). */
const REFUSING_BROADCASTER = 'http://127.0.0.1:9';

describe('stitcher dashboard API', () => {
  let lp: LivepeerLocal;
  let fixture: RelayFixture;
  let stitcher: RunningApp;
  let segments: SyntheticSegment[];
  let scene: StitcherScene;
  let publish: Publish;
  const startedAt: number[] = [];

  const call = async (method: string, path: string, token: string | null = ADMIN_TOKEN) => {
    const response = await fetch(`${stitcher.url}${path}`, {
      method,
      headers: token === null ? {} : { Authorization: `Bearer ${token}` },
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers of several routes read through one helper
    return { status: response.status, body: (await response.json()) as any };
  };

  /** Reads the event stream until its first `overview` event; the connection is closed after. */
  async function firstOverview(ticket: string) {
    const controller = new AbortController();
    const response = await fetch(`${stitcher.url}/api/events?ticket=${encodeURIComponent(ticket)}`, { signal: controller.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = response.body!.getReader();
    let text = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`event stream ended before an overview event: ${text}`);
        text += Buffer.from(value).toString('utf8');
        const event = /event: overview\ndata: (.*)\n\n/.exec(text);
        if (event) return JSON.parse(event[1]);
      }
    } finally {
      controller.abort();
    }
  }

  beforeAll(async () => {
    scene = await StitcherScene.start('stitcher-dashboard-api', { mediaSeconds: 8, mode: 'passthrough' });
    ({ lp, fixture, segments } = scene);
    stitcher = await spawnApp('stitcher', stitcherEnv(scene.env, lp));
    const stream = await fixture.createStream('charted', {
      profiles: [{ name: 'low', width: 256, height: 144, bitrate: 200_000, fps: 0 }],
    });
    publish = await fixture.startSession(stream);
    // As ingest and the worker record them: when each segment's first frame arrived (its program
    // date-time; the fixture's own row is then ignored as a repeat), and the broadcaster each push went to.
    for (let seq = 0; seq < 3; seq++) {
      await fixture.ledger.recordIngested({
        sessionId: publish.session.id,
        streamId: publish.stream.id,
        seq,
        durationMs: 2000,
        bytes: segments[seq % segments.length].bytes.length,
        resolution: null,
        objectKey: objectKeys.sourceSegment(publish.session.id, seq),
        ingestedAt: Date.now(),
        startedAt: (startedAt[seq] = Date.now() - 2000),
      });
      await fixture.publishSegment(publish, seq, segments[seq % segments.length]);
      await fixture.ledger.recordAttempt(publish.session.id, seq, lp.broadcasters[0]);
    }
    await fixture.publishSegment(publish, 3, segments[0], { push: false });
    await fixture.ledger.recordAttempt(publish.session.id, 3, REFUSING_BROADCASTER);
    await fixture.ledger.markDropped(publish.session.id, 3, 'broadcaster-rejected', 'HTTP 422');
    await waitFor(async () => (await fixture.ledger.counts(publish.session.id)).byState.republished === 3, {
      timeoutMs: 30_000,
      what: 'three segments republished',
    });
  });

  afterAll(async () => {
    await stitcher?.proc.stop();
    await scene?.close();
  });

  it('hands out event tickets only for the bearer token', async () => {
    expect((await call('POST', '/api/events/ticket', null)).status).toBe(401);
    expect((await call('POST', '/api/events/ticket', 'wrong-token-123')).status).toBe(401);
    const { status, body } = await call('POST', '/api/events/ticket');
    expect(status).toBe(200);
    expect(body.ticket).toMatch(/^\d+\.[\w-]{16}\.[\w-]{43}$/);
    expect(body.expiresAt).toBeGreaterThan(Date.now());
  });

  it('refuses the event stream without a valid ticket: none, forged, or the admin token itself', async () => {
    const { body } = await call('POST', '/api/events/ticket');
    const [expiry, nonce, signature] = (body.ticket as string).split('.');
    const forged = [`${Number(expiry) + 1}.${nonce}.${signature}`, `${expiry}.${nonce}.${'A'.repeat(43)}`, ADMIN_TOKEN];
    for (const ticket of forged) {
      expect((await call('GET', `/api/events?ticket=${encodeURIComponent(ticket)}`, null)).status).toBe(401);
    }
    const missing = await call('GET', '/api/events', null);
    expect(missing.status).toBe(400);
    expect(missing.body.errors.ticket).toBeDefined();
    // The bearer token alone does not open it either: the ticket is the only way in.
    expect((await call('GET', '/api/events?ticket=', ADMIN_TOKEN)).status).toBe(401);
  });

  it("streams the overview: the live session's card with its program date-time and its drops", async () => {
    const { body } = await call('POST', '/api/events/ticket');
    const snapshot = await firstOverview(body.ticket);
    const card = snapshot.cards.find((c: { sessionId: string }) => c.sessionId === publish.session.id);
    expect(card).toMatchObject({
      streamId: publish.stream.id,
      streamName: 'charted',
      playbackId: publish.stream.playbackId,
      state: 'live',
      newestDurationMs: 2000,
      drops: { total: 1, byReason: { 'broadcaster-rejected': 1 } },
      transcode: null,
    });
    // The newest listed segment (seq 2) is dated when its first frame reached ingest.
    expect(card.newestProgramDateTime).toBeGreaterThanOrEqual(startedAt[2]);
    expect(snapshot.serverTime).toBeGreaterThanOrEqual(card.newestProgramDateTime);
    // The same document without the stream, for clients with a bearer token.
    const direct = await call('GET', '/api/overview');
    expect(direct.body.cards.map((c: { sessionId: string }) => c.sessionId)).toContain(publish.session.id);
  });

  it("gives a stream's last hour per segment and its drops per minute", async () => {
    const { status, body } = await call('GET', `/api/streams/${publish.stream.id}/history?minutes=60`);
    expect(status).toBe(200);
    expect(body.sessionIds).toEqual([publish.session.id]);
    expect(body.segments.seq).toEqual([0, 1, 2, 3]);
    expect(body.segments.roundTripMs.slice(0, 3).every((ms: number) => ms > 0)).toBe(true);
    expect(body.segments.republishLagMs.slice(0, 3).every((ms: number) => ms >= 0)).toBe(true);
    expect(body.segments.republishLagMs[3]).toBeNull();
    expect(body.drops.bucketMs).toBe(60_000);
    expect(body.drops.byReason['broadcaster-rejected'].reduce((a: number, b: number) => a + b, 0)).toBe(1);
    expect(body.drops.byReason['broadcaster-rejected']).toHaveLength(body.drops.bucketStart.length);
  });

  it('checks the window and the stream as the rest of the API does', async () => {
    const tooLong = await call('GET', `/api/streams/${publish.stream.id}/history?minutes=61`);
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.errors.minutes).toEqual(['must be at most 60']);
    expect((await call('GET', '/api/streams/00000000-0000-4000-8000-000000000000/history')).status).toBe(404);
    expect((await call('GET', '/api/broadcasters/history?minutes=abc')).body.errors.minutes).toBeDefined();
    expect((await call('GET', `/api/streams/${publish.stream.id}/history`, null)).status).toBe(401);
  });

  it('gives each broadcaster its success rate and round trip per minute', async () => {
    const { body } = await call('GET', '/api/broadcasters/history');
    const [first, second] = [lp.broadcasters[0], REFUSING_BROADCASTER].map((address) =>
      body.broadcasters.find((b: { address: string }) => b.address === address),
    );
    const sum = (xs: (number | null)[]) => xs.reduce<number>((a, b) => a + (b ?? 0), 0);
    expect(sum(first.attempts)).toBe(3);
    expect(first.successRate.filter((r: number | null) => r !== null).every((r: number) => r === 1)).toBe(true);
    expect(first.meanRoundTripMs.some((ms: number | null) => ms !== null && ms > 0)).toBe(true);
    expect(sum(second.attempts)).toBe(1);
    expect(second.successRate.filter((r: number | null) => r !== null)).toEqual([0]);
  });

  it("samples the upload queue's depth and throughput", async () => {
    await waitFor(async () => (await call('GET', '/api/queues/segment-upload/history')).body.samples.length >= 2, {
      timeoutMs: 20_000,
      what: 'two queue samples',
    });
    const { body } = await call('GET', '/api/queues/segment-upload/history');
    expect(body.sampleMs).toBe(5000);
    expect(body.samples[0]).toMatchObject({ waiting: expect.any(Number), active: expect.any(Number), jobsPerSecond: null });
    expect(body.samples[1].jobsPerSecond).toBeGreaterThanOrEqual(0);
    expect((await call('GET', '/api/queues/no-such-queue/history')).status).toBe(404);
  });

  it('documents the new endpoints in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${stitcher.url}/docs-json`)).json()) as { paths: Record<string, unknown> };
    for (const path of [
      '/api/events',
      '/api/events/ticket',
      '/api/overview',
      '/api/streams/{id}/history',
      '/api/broadcasters/history',
      '/api/queues/{name}/history',
    ]) {
      expect(doc.paths[path], path).toBeDefined();
    }
  });
});
