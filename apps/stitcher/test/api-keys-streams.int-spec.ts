import IORedis from 'ioredis';
import http from 'node:http';
import { createHash } from 'node:crypto';
import { ApiKeyEntity } from '@lib/database';
import { parseStreamControlEvent, redisKeys } from '@lib/queue';
import { CONTENT_TYPES, objectKeys } from '@lib/storage';
import { TEST_REDIS_URL, TestEnv, spawnApp, type RunningApp } from '@lib/testing';
import { ADMIN_TOKEN, RelayFixture, stitcherEnv } from './helpers';

const FAILURE_LIMIT = 3;

interface KeyCreated {
  id: string;
  key: string;
  scope: string;
  prefix: string;
}

/**
 * Named API keys (create, use, scope refusal, revoke, last use, slow-down of guessers) and the
 * stream API's PATCH, DELETE (idle, and live with and without force), statistics and pagination,
 * against a real stitcher process, PostgreSQL, Redis and the object store.
 */
describe('stitcher admin API: API keys and the stream API', () => {
  let env: TestEnv;
  let stitcher: RunningApp;
  let fixture: RelayFixture;

  const call = async <T = unknown>(token: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${stitcher.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, json: (text ? JSON.parse(text) : null) as T };
  };
  const admin = <T = unknown>(method: string, path: string, body?: unknown) => call<T>(ADMIN_TOKEN, method, path, body);

  beforeAll(async () => {
    env = await TestEnv.create({ name: 'stitcher-keys' });
    fixture = await RelayFixture.create(env);
    stitcher = await spawnApp('stitcher', stitcherEnv(env, undefined, { AUTH_FAILURE_LIMIT: FAILURE_LIMIT }));
  });

  afterAll(async () => {
    await stitcher?.proc.stop();
    await fixture?.close();
    await env?.cleanup();
  });

  describe('API keys', () => {
    it('creates keys shown once, lets them in by scope, records their last use, and refuses them once revoked', async () => {
      const adminKey = await admin<KeyCreated>('POST', '/api/keys', { name: 'deploy', scope: 'admin' });
      const readKey = await admin<KeyCreated>('POST', '/api/keys', { name: 'grafana', scope: 'read' });
      expect(adminKey.status).toBe(201);
      expect(adminKey.json.key).toMatch(/^lpr_[A-Za-z0-9_-]{43}$/);
      expect(adminKey.json.key.startsWith(adminKey.json.prefix)).toBe(true);
      const listed = await admin<Record<string, unknown>[]>('GET', '/api/keys');
      expect(JSON.stringify(listed.json)).not.toContain(adminKey.json.key);
      expect(listed.json.map((k) => k.name)).toEqual(['deploy', 'grafana']);

      // Stored hashed: the key itself is nowhere in the database.
      const rows = await fixture.ds.getRepository(ApiKeyEntity).find();
      expect(rows.map((r) => r.keyHash)).toContain(createHash('sha256').update(adminKey.json.key).digest('hex'));
      expect(JSON.stringify(rows)).not.toContain(adminKey.json.key);

      expect((await call(readKey.json.key, 'GET', '/api/streams')).status).toBe(200);
      const refused = await call<{ message: string }>(readKey.json.key, 'POST', '/api/streams', { name: 'nope' });
      expect(refused.status).toBe(403);
      expect(refused.json.message).toContain('read scope');
      expect((await call(adminKey.json.key, 'POST', '/api/streams', { name: 'by key' })).status).toBe(201);
      const board = await fetch(`${stitcher.url}/api/queues/board/`, { headers: { Authorization: `Bearer ${readKey.json.key}` } });
      expect(board.status).toBe(200);

      const used = (await admin<{ id: string; lastUsedAt: number | null }[]>('GET', '/api/keys')).json;
      expect(used.find((k) => k.id === readKey.json.id)!.lastUsedAt).not.toBeNull();

      const revoked = await admin<{ revokedAt: number | null }>('DELETE', `/api/keys/${readKey.json.id}`);
      expect(revoked.json.revokedAt).not.toBeNull();
      expect((await call(readKey.json.key, 'GET', '/api/streams')).status).toBe(401);
      expect((await admin<unknown[]>('GET', '/api/keys')).json).toHaveLength(1);
      expect((await admin<unknown[]>('GET', '/api/keys?revoked=true')).json).toHaveLength(2);
      expect((await admin('POST', '/api/keys', { name: 'x', scope: 'root' })).status).toBe(400);
    });

    it('slows down an address after repeated wrong keys, for the API and bull-board alike, and only that address', async () => {
      const guesser = '127.0.0.2';
      for (let i = 0; i < FAILURE_LIMIT; i++)
        expect(await statusFrom(guesser, `${stitcher.url}/api/streams`, `lpr_${'x'.repeat(43)}`)).toBe(401);
      expect(await statusFrom(guesser, `${stitcher.url}/api/streams`, 'lpr_wrong')).toBe(429);
      // Even the right token waits there: the address is refused before any check.
      expect(await statusFrom(guesser, `${stitcher.url}/api/streams`, ADMIN_TOKEN)).toBe(429);
      expect(await statusFrom(guesser, `${stitcher.url}/api/queues/board/`, ADMIN_TOKEN)).toBe(429);
      expect((await admin('GET', '/api/streams')).status).toBe(200);
    });
  });

  describe('streams', () => {
    it('changes name, ladder, enabled and the recording settings with PATCH, refusing unknown fields and bad values without changing anything', async () => {
      const created = await admin<{ id: string }>('POST', '/api/streams', { name: 'patch me' });
      const id = created.json.id;
      const patched = await admin<{ name: string; enabled: boolean; ladder: unknown }>('PATCH', `/api/streams/${id}`, {
        name: 'patched',
        enabled: false,
        ladder: { presets: ['P144p30fps16x9'] },
      });
      expect(patched.status).toBe(200);
      expect(patched.json).toMatchObject({ name: 'patched', enabled: false, ladder: { presets: ['P144p30fps16x9'] } });
      const recorded = await admin('PATCH', `/api/streams/${id}`, { record: true, dvrWindowSeconds: 60 });
      expect(recorded.status).toBe(200);
      expect(recorded.json).toMatchObject({ record: true, dvrWindowSeconds: 60 });
      for (const body of [
        { dvrWindow: 60 },
        { dvrWindowSeconds: -1 },
        { record: 'yes' },
        { name: '' },
        { ladder: { presets: ['P9999p'] } },
        {},
        { enabled: 'yes' },
      ]) {
        const res = await admin<{ errors: Record<string, string[]> }>('PATCH', `/api/streams/${id}`, body);
        expect(res.status, JSON.stringify(body)).toBe(400);
      }
      expect((await admin('GET', `/api/streams/${id}`)).json).toMatchObject({
        name: 'patched',
        enabled: false,
        record: true,
        dvrWindowSeconds: 60,
      });
    });

    it('deletes an idle stream with its sessions, ledger and objects', async () => {
      const stream = await fixture.createStream('idle one', {});
      const session = await fixture.sessions.save({
        ...(await sessionRow(stream.id)),
        state: 'ended',
        endedAt: Date.now(),
      });
      await fixture.storage.put(objectKeys.sourceSegment(session.id, 0), Buffer.from('ts'), CONTENT_TYPES.mpegts);
      await fixture.storage.put(objectKeys.hlsMaster(stream.playbackId), Buffer.from('#EXTM3U\n'), CONTENT_TYPES.playlist);
      const deleted = await admin<{ sessions: number; objects: number; endedLivePublish: boolean }>('DELETE', `/api/streams/${stream.id}`);
      expect(deleted.status).toBe(200);
      expect(deleted.json).toEqual({ id: stream.id, sessions: 1, objects: 2, endedLivePublish: false });
      expect((await admin('GET', `/api/streams/${stream.id}`)).status).toBe(404);
      expect(await fixture.sessions.findOneBy({ id: session.id })).toBeNull();
      expect(await fixture.storage.list(objectKeys.hlsStream(stream.playbackId))).toHaveLength(0);
      expect((await admin('DELETE', `/api/streams/${stream.id}`)).status).toBe(404);
    });

    it('refuses to delete a live stream (409) unless forced, which ends the publish first', async () => {
      const stream = await fixture.createStream('live one', {});
      const session = await fixture.sessions.save(await sessionRow(stream.id));
      const refused = await admin('DELETE', `/api/streams/${stream.id}`);
      expect(refused.status).toBe(409);
      expect((await admin('GET', `/api/streams/${stream.id}`)).json).toMatchObject({ isActive: true, liveSessionId: session.id });

      // Plays ingest's part: a disabled stream's publish ends.
      const subscriber = new IORedis(TEST_REDIS_URL);
      const disabled: string[] = [];
      await subscriber.subscribe(redisKeys(env.id).streamControlChannel());
      subscriber.on('message', (_c: string, message: string) => {
        const event = parseStreamControlEvent(message);
        if (event?.type !== 'stream-disabled') return;
        disabled.push(event.streamId);
        void fixture.sessions.update({ id: session.id }, { state: 'ended', endedAt: Date.now() });
      });
      try {
        const forced = await admin<{ endedLivePublish: boolean }>('DELETE', `/api/streams/${stream.id}?force=true`);
        expect(forced.status).toBe(200);
        expect(forced.json.endedLivePublish).toBe(true);
        expect(disabled).toContain(stream.id);
        expect(await fixture.sessions.findOneBy({ id: session.id })).toBeNull();
        expect((await admin('DELETE', `/api/streams/${stream.id}?force=maybe`)).status).toBe(400);
      } finally {
        subscriber.disconnect();
      }
    });

    it('carries the statistics and pages and filters the list', async () => {
      const stream = await fixture.createStream('counted', {});
      const session = await fixture.sessions.save(await sessionRow(stream.id));
      for (const seq of [0, 1, 2]) {
        await fixture.ledger.recordIngested({
          sessionId: session.id,
          streamId: stream.id,
          seq,
          durationMs: 2000,
          bytes: 1000,
          resolution: null,
          objectKey: objectKeys.sourceSegment(session.id, seq),
          ingestedAt: Date.now(),
        });
      }
      await fixture.ledger.markUploaded(session.id, 0, { uploadMs: 5, roundTripMs: 40 });
      await fixture.ledger.transition(session.id, 2, 'dropped', { dropReason: 'deadline-exceeded' });
      const { json } = await admin<Record<string, unknown>>('GET', `/api/streams/${stream.id}`);
      expect(json).toMatchObject({
        isActive: true,
        sourceSegments: 3,
        transcodedSegments: 1,
        sourceSegmentsDuration: 6,
        transcodedSegmentsDuration: 2,
        sourceBytes: 3000,
        meanRoundTripMs: 40,
        drops: { total: 1, byReason: { 'deadline-exceeded': 1 } },
      });
      expect(json.lastSeen).toEqual(expect.any(Number));
      expect(json.ingestRate).toBe(150); // 3000 bytes in the 20 s window
      const sessions = await admin<Record<string, unknown>[]>('GET', `/api/sessions?streamId=${stream.id}`);
      expect(sessions.json[0]).toMatchObject({ isActive: true, sourceSegments: 3, transcodedSegments: 1 });

      const first = await admin<{ id: string }[]>('GET', '/api/streams?limit=1');
      expect(first.json).toHaveLength(1);
      expect(first.headers.get('x-next-offset')).toBe('1');
      const second = await admin<{ id: string }[]>('GET', '/api/streams?limit=1&offset=1');
      expect(second.json[0].id).not.toBe(first.json[0].id);
      expect((await admin<{ id: string }[]>('GET', '/api/streams?isActive=true')).json.map((s) => s.id)).toEqual([stream.id]);
      expect((await admin<{ name: string }[]>('GET', '/api/streams?name=COUNT')).json.map((s) => s.name)).toEqual(['counted']);
      expect((await admin('GET', '/api/streams?limit=0')).status).toBe(400);
      expect((await admin('GET', '/api/streams?color=red')).status).toBe(400);
      const segments = await admin<{ seq: number }[]>('GET', `/api/sessions/${session.id}/segments?limit=2`);
      expect(segments.json.map((s) => s.seq)).toEqual([1, 2]);
      expect(segments.headers.get('x-next-before')).toBe('1');
      const older = await admin<{ seq: number }[]>('GET', `/api/sessions/${session.id}/segments?limit=2&before=1`);
      expect(older.json.map((s) => s.seq)).toEqual([0]);
      const dropped = await admin<{ seq: number }[]>('GET', `/api/sessions/${session.id}/segments?state=dropped`);
      expect(dropped.json.map((s) => s.seq)).toEqual([2]);
    });
  });
});

/** A GET from a given local address (127.0.0.x): the failure limit is per client address. */
function statusFrom(localAddress: string, url: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { localAddress, headers: { Authorization: `Bearer ${token}` } }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      })
      .on('error', reject);
  });
}

async function sessionRow(streamId: string) {
  const { randomUUID } = await import('node:crypto');
  return {
    id: randomUUID(),
    streamId,
    livepeerStreamId: null,
    livepeerStreamKey: null,
    livepeerPlaybackId: null,
    profiles: null,
    renditions: null,
    state: 'live' as const,
    stateReason: null,
    protocol: 'rtmp',
    source: null,
    targetDuration: 2,
    startedAt: Date.now(),
    endedAt: null,
    playlistEndedAt: null,
    purgedAt: null,
  };
}
