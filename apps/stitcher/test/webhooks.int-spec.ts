import IORedis from 'ioredis';
import { RenditionSegmentEntity, SessionEntity } from '@lib/database';
import { encodeLifecycleEvent, lifecycleEventId, lifecycleEventSchema, redisKeys } from '@lib/queue';
import { TEST_REDIS_URL, WebhookReceiver, readmeVerifyWebhook, spawnApp, waitFor, type RunningApp } from '@lib/testing';
import { ADMIN_TOKEN, StitcherScene, stitcherEnv, type Publish } from './helpers';

interface Delivery {
  id: string;
  eventId: string;
  eventType: string;
  status: string;
  attempts: number;
  responseStatus: number | null;
  error: string | null;
}

/**
 * Lifecycle webhooks against a real stitcher republishing from livepeer-local: each event at
 * the moment it should fire (checked by what the database says when the request arrives), the
 * schema of every body, the README's verification recipe on real signatures, retries of a
 * failing receiver with the same event id, and a refused host that is attempted and never called.
 */
describe('stitcher lifecycle webhooks', () => {
  let scene: StitcherScene;
  let stitcher: RunningApp;
  let good: WebhookReceiver;
  let flaky: WebhookReceiver;
  let refused: WebhookReceiver;
  let ordered: WebhookReceiver;
  let publish: Publish;
  const secrets: Record<string, string> = {};
  const endpointIds: Record<string, string> = {};

  const api = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> => {
    const res = await fetch(`${stitcher.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, json: (text ? JSON.parse(text) : null) as T };
  };
  const deliveries = async (name: string) => (await api<Delivery[]>('GET', `/api/webhooks/${endpointIds[name]}/deliveries`)).json;
  const typesOf = (r: WebhookReceiver) => r.events().map((e) => e.type);

  beforeAll(async () => {
    scene = await StitcherScene.start('stitcher-webhooks', { mediaSeconds: 24, mode: 'copy' });
    [good, flaky, refused, ordered] = await Promise.all([1, 2, 3, 4].map(() => WebhookReceiver.start()));
    flaky.answer = (n) => (n <= 3 ? 503 : 200);
    ordered.answer = (n) => (n <= 2 ? 500 : 200);
    // What the database says when a request arrives: proof of "fires exactly when it should".
    const ds = scene.fixture.ds;
    good.snapshot = async (body) => {
      const event = JSON.parse(body) as { sessionId: string };
      return {
        listed: await ds.getRepository(RenditionSegmentEntity).countBy({ sessionId: event.sessionId, state: 'republished' }),
        session: await ds.getRepository(SessionEntity).findOneBy({ id: event.sessionId }),
      };
    };
    stitcher = await spawnApp(
      'stitcher',
      stitcherEnv(scene.env, scene.lp, {
        // The refused receiver listens on 127.0.0.1 too, on a port not listed.
        WEBHOOK_ALLOWED_HOSTS: `${good.hostPort},${flaky.hostPort},${ordered.hostPort}`,
        WEBHOOK_BACKOFF_MS: 100,
        WEBHOOK_MAX_ATTEMPTS: 6,
      }),
    );
    for (const [name, receiver, events] of [
      ['good', good, ['stream.started', 'stream.idle', 'stream.transcoding-degraded', 'stream.transcoding-recovered', 'recording.ready']],
      ['flaky', flaky, ['stream.started']],
      ['refused', refused, ['stream.started']],
      ['ordered', ordered, ['recording.failed']],
    ] as const) {
      const created = await api<{ id: string; secret: string }>('POST', '/api/webhooks', { name, url: receiver.url, events });
      expect(created.status).toBe(201);
      expect(created.json.secret).toMatch(/^whsec_/);
      secrets[name] = created.json.secret;
      endpointIds[name] = created.json.id;
    }
  }, 120_000);

  afterAll(async () => {
    await stitcher?.proc.stop();
    await Promise.all([good, flaky, refused, ordered].map((r) => r?.close()));
    await scene?.close();
  });

  it('shows the secret only at creation and refuses bad endpoints', async () => {
    const shown = await api<Record<string, unknown>>('GET', `/api/webhooks/${endpointIds.good}`);
    expect(shown.status).toBe(200);
    expect(shown.json).not.toHaveProperty('secret');
    expect(JSON.stringify((await api('GET', '/api/webhooks')).json)).not.toContain(secrets.good);
    const bad = [
      { url: 'ftp://example.com/x', events: ['stream.started'] },
      { url: `https://example.com/${'a'.repeat(2100)}`, events: ['stream.started'] },
      { url: 'https://user:pw@example.com/x', events: ['stream.started'] },
      { url: 'https://example.com/x', events: ['stream.exploded'] },
      { url: 'https://example.com/x', events: [] },
      { url: 'https://example.com/x', events: ['stream.started'], extra: 1 },
    ];
    for (const body of bad) expect((await api('POST', '/api/webhooks', body)).status).toBe(400);
    expect((await api<unknown[]>('GET', '/api/webhooks')).json).toHaveLength(4);
  });

  it('sends stream.started once the first segment is republished, signed as the README verifies', async () => {
    const stream = await scene.fixture.createStream('hooked', { presets: ['P144p30fps16x9'] });
    publish = await scene.fixture.startSession(stream);
    await scene.fixture.publishSegment(publish, 0, scene.segments[0]);
    await scene.fixture.publishSegment(publish, 1, scene.segments[1]);
    const started = await waitFor(() => good.received.find((r) => JSON.parse(r.body).type === 'stream.started'), {
      what: 'stream.started at the receiver',
    });
    expect((started.snapshot as { listed: number }).listed).toBeGreaterThan(0);
    const event = lifecycleEventSchema.parse(JSON.parse(started.body));
    expect(event).toMatchObject({ type: 'stream.started', streamId: stream.id, sessionId: publish.session.id, recordingId: null });
    expect(event.id).toBe(lifecycleEventId('stream.started', publish.session.id));
    expect(started.headers['idempotency-key']).toBe(event.id);
    expect(started.headers['livepeer-event']).toBe('stream.started');
    const verify = readmeVerifyWebhook();
    const signature = String(started.headers['livepeer-signature']);
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verify(started.body, signature, secrets.good)).toBe(true);
    expect(verify(started.body, signature, secrets.flaky)).toBe(false);
    expect(verify(started.body.replace('stream.started', 'stream.startex'), signature, secrets.good)).toBe(false);
  });

  it('retries a receiver that fails three times, with the same event id, until it answers 2xx', async () => {
    await waitFor(() => flaky.received.length >= 4 || undefined, { what: 'four attempts at the flaky receiver' });
    const ids = flaky.received.map((r) => JSON.parse(r.body).id as string);
    expect(new Set(ids).size).toBe(1);
    expect(new Set(flaky.received.map((r) => r.headers['idempotency-key'])).size).toBe(1);
    const [delivery] = await waitFor(async () => {
      const log = await deliveries('flaky');
      return log[0]?.status === 'delivered' ? log : undefined;
    });
    expect(delivery).toMatchObject({ eventId: ids[0], attempts: 4, responseStatus: 200 });
  });

  it('attempts and refuses a delivery to a host not allowed, never calling it', async () => {
    const [delivery] = await waitFor(async () => {
      const log = await deliveries('refused');
      return log[0]?.status === 'refused' ? log : undefined;
    });
    expect(delivery.attempts).toBe(1);
    expect(delivery.error).toContain('WEBHOOK_ALLOWED_HOSTS');
    expect(refused.received).toHaveLength(0);
  });

  it(
    'reports degraded transcoding at a segment skipped for a transcoding reason and recovery after three good ones',
    { timeout: 300_000 },
    async () => {
      await scene.fixture.publishSegment(publish, 2, scene.segments[2], { push: false });
      await scene.fixture.ledger.transition(publish.session.id, 2, 'dropped', { dropReason: 'broadcaster-rejected' });
      // Generous limits: each segment waits out the frontier's timing, slow when CI runs every tier on two cores.
      const slow = { timeoutMs: 90_000 };
      const degraded = await waitFor(() => good.events().find((e) => e.type === 'stream.transcoding-degraded'), {
        ...slow,
        what: 'stream.transcoding-degraded',
      });
      const parsed = lifecycleEventSchema.parse(degraded);
      expect(parsed).toMatchObject({ type: 'stream.transcoding-degraded', sessionId: publish.session.id, data: { seq: 2 } });
      // The rendition's reason as the stitcher saw it (never listed upstream); the source variant is not a transcoding failure.
      expect((parsed.data as { reasons: Record<string, string> }).reasons).toEqual({ P144p30fps16x9: 'not-in-playlist' });
      expect(typesOf(good)).not.toContain('stream.transcoding-recovered');
      // Good segments until three in a row are listed (on a loaded machine one may still be skipped, which restarts the run).
      const recovered = await (async () => {
        for (let seq = 3; seq < scene.segments.length; seq++) {
          await scene.fixture.publishSegment(publish, seq, scene.segments[seq]);
          const found = await waitFor(
            async () => {
              const listed = await scene.fixture.renditionRows.countBy({ sessionId: publish.session.id, seq });
              return listed > 0 ? { recovered: good.events().find((e) => e.type === 'stream.transcoding-recovered') } : undefined;
            },
            { ...slow, what: `seq ${seq} resolved` },
          );
          if (found.recovered) return found.recovered;
        }
        return waitFor(() => good.events().find((e) => e.type === 'stream.transcoding-recovered'), {
          ...slow,
          what: 'stream.transcoding-recovered',
        });
      })();
      const parsedRecovered = lifecycleEventSchema.parse(recovered);
      expect(parsedRecovered.type).toBe('stream.transcoding-recovered');
      expect((parsedRecovered.data as { seq: number }).seq).toBeGreaterThanOrEqual(5);
    },
  );

  it('sends stream.idle only once the playlists are closed after the end grace, after every earlier event', async () => {
    await scene.fixture.endSession(publish);
    const idle = await waitFor(() => good.received.find((r) => JSON.parse(r.body).type === 'stream.idle'));
    const { session } = idle.snapshot as { session: SessionEntity };
    expect(session.playlistEndedAt).not.toBeNull();
    expect(lifecycleEventSchema.parse(JSON.parse(idle.body))).toMatchObject({ type: 'stream.idle', data: { endedAt: session.endedAt } });
    const types = typesOf(good);
    expect(types[0]).toBe('stream.started');
    expect(types.at(-1)).toBe('stream.idle');
    expect(types.indexOf('stream.transcoding-degraded')).toBeLessThan(types.indexOf('stream.transcoding-recovered'));
    expect(types.filter((t) => t === 'stream.started' || t === 'stream.idle')).toEqual(['stream.started', 'stream.idle']);
  });

  it('delivers lifecycle events published on the channel by other producers, once per endpoint, ignoring bad messages', async () => {
    const redis = new IORedis(TEST_REDIS_URL);
    try {
      const channel = redisKeys(scene.env.id).lifecycleEventsChannel();
      await redis.publish(channel, '{"type":"recording.ready"}');
      const event = {
        id: 'evt_recording_1',
        type: 'recording.ready' as const,
        timestamp: Date.now(),
        streamId: publish.stream.id,
        sessionId: publish.session.id,
        recordingId: 'rec-1',
        data: { url: 'https://example.com/rec-1.mp4' },
      };
      await redis.publish(channel, encodeLifecycleEvent(event));
      await redis.publish(channel, encodeLifecycleEvent(event)); // a repeat: the same id is one delivery
      await waitFor(() => good.events().find((e) => e.type === 'recording.ready'));
      const log = await waitFor(async () => {
        const rows = (await deliveries('good')).filter((d) => d.eventType === 'recording.ready');
        return rows[0]?.status === 'delivered' ? rows : undefined;
      });
      expect(log).toHaveLength(1);
      expect(good.events().filter((e) => e.type === 'recording.ready')).toHaveLength(1);
    } finally {
      redis.disconnect();
    }
  });

  it('documents the routes, the event schema and the signature header in OpenAPI', async () => {
    const doc = (await (await fetch(`${stitcher.url}/docs-json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, Partial<Record<'oneOf' | 'anyOf', { properties: { type: { const: string } } }[]>>> };
      tags: { name: string; description: string }[];
    };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/webhooks',
        '/api/webhooks/{id}/deliveries',
        '/api/webhooks/{id}/deliveries/{deliveryId}/resend',
        '/api/keys',
      ]),
    );
    expect(doc.paths['/api/streams/{id}']).toHaveProperty('patch');
    expect(doc.paths['/api/streams/{id}']).toHaveProperty('delete');
    const { oneOf, anyOf } = doc.components.schemas.LifecycleEvent;
    const types = (oneOf ?? anyOf)!.map((v) => v.properties.type.const);
    expect(types).toContain('stream.transcoding-degraded');
    expect(doc.tags.find((t) => t.name === 'webhooks')!.description).toContain('Livepeer-Signature: t=<unix seconds>,v1=');
  });

  it('never writes a signing secret to its logs', () => {
    const output = stitcher.proc.tail(500);
    expect(output).toContain('lifecycle event dispatched'); // the log is there, and busy
    for (const secret of Object.values(secrets)) expect(output).not.toContain(secret);
  });

  it("holds a stream's later event back while an earlier one to the same endpoint is being retried", async () => {
    const redis = new IORedis(TEST_REDIS_URL);
    try {
      const channel = redisKeys(scene.env.id).lifecycleEventsChannel();
      const failed = (id: string, timestamp: number) => ({
        id,
        type: 'recording.failed' as const,
        timestamp,
        streamId: publish.stream.id,
        sessionId: publish.session.id,
        recordingId: id,
        data: { reason: 'test' },
      });
      const now = Date.now();
      await redis.publish(channel, encodeLifecycleEvent(failed('evt_first', now)));
      await redis.publish(channel, encodeLifecycleEvent(failed('evt_second', now + 1)));
      await waitFor(() => ordered.received.length >= 4 || undefined, { what: 'both events delivered' });
      // Two refusals of the first, its success, then the second: never the second in between.
      expect(ordered.events().map((e) => e.id)).toEqual(['evt_first', 'evt_first', 'evt_first', 'evt_second']);
    } finally {
      redis.disconnect();
    }
  });

  it('resends a logged delivery with the same body and event id, and filters and pages the log', async () => {
    const [first] = (await api<Delivery[]>('GET', `/api/webhooks/${endpointIds.good}/deliveries?eventType=stream.started`)).json;
    const before = good.received.length;
    const resent = await api<Delivery>('POST', `/api/webhooks/${endpointIds.good}/deliveries/${first.id}/resend`);
    expect(resent.status).toBe(202);
    const again = await waitFor(() => good.received[before]);
    expect(JSON.parse(again.body).id).toBe(first.eventId);
    const page = await fetch(`${stitcher.url}/api/webhooks/${endpointIds.good}/deliveries?limit=2`, {
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(page.headers.get('x-next-offset')).toBe('2');
    expect((await page.json()) as unknown[]).toHaveLength(2);
    expect((await api('GET', `/api/webhooks/${endpointIds.good}/deliveries?status=lost`)).status).toBe(400);
  });
});
