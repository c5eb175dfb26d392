import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import IORedis from 'ioredis';
import { RecordingEntity, RecordingExportEntity, type StreamEntity } from '@lib/database';
import { parseMediaPlaylist } from '@lib/hls';
import { FFMPEG_PATH, probeMedia, type SyntheticSegment } from '@lib/media';
import { decodeLifecycleEvent, redisKeys, type LifecycleEvent } from '@lib/queue';
import { objectKeys, CONTENT_TYPES } from '@lib/storage';
import {
  TEST_REDIS_URL,
  TestEnv,
  launchChromium,
  spawnApp,
  validateMasterPlaylist,
  validateMediaPlaylist,
  waitFor,
  type RunningApp,
} from '@lib/testing';
import { buildVodPlaylists } from '../src/recordings/vod-playlists';
import { ADMIN_TOKEN, RelayFixture, makeSegments, stitcherEnv, type LivepeerLocal, type Publish, StitcherScene } from './helpers';

const run = promisify(execFile);

/**
 * Recordings end to end inside the relay's back end: a stitcher and a worker process against
 * livepeer-local (passthrough), rows and pushes played by the fixture. A recorded session gets
 * VOD playlists that pass the HLS rules validator and decode, with the ledger's durations; a
 * reconnect within the grace is one recording with a discontinuity; the live retention leaves
 * recordings alone; MP4 exports have the recording's duration and layout, survive a killed
 * worker, and download with ranges; DVR windows and live thumbnails.
 */
describe('recordings, DVR and thumbnails', () => {
  let env: TestEnv;
  let lp: LivepeerLocal;
  let fixture: RelayFixture;
  let stitcher: RunningApp;
  let worker: RunningApp | undefined;
  let segments: SyntheticSegment[];
  let scene: StitcherScene;
  let subscriber: IORedis;
  const events: LifecycleEvent[] = [];
  const ladder = { profiles: [{ name: 'low', width: 256, height: 144, bitrate: 200_000, fps: 0 }] };
  const settings = {
    STITCHER_END_GRACE_MS: 3000,
    STITCHER_DEADLINE_FACTOR: 3,
    // The live retention runs every second and takes ended sessions' objects after ~1 s.
    RETENTION_HOURS: 0.0003,
    STITCHER_RETENTION_CHECK_MS: 1000,
    // One live thumbnail a second per stream (default 10 s), so the update is seen quickly.
    STITCHER_THUMBNAIL_INTERVAL_SECONDS: 1,
  };

  const api = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(`${stitcher.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json', ...(init.headers ?? {}) },
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are checked field by field with toMatchObject
    return { status: res.status, body: (await res.json().catch(() => undefined)) as any };
  };
  const recordingsOf = (stream: StreamEntity) => fixture.ds.getRepository(RecordingEntity).find({ where: { streamId: stream.id } });
  const readyRecording = async (stream: StreamEntity) => {
    let ready: RecordingEntity | undefined;
    await waitFor(
      async () => {
        ready = (await recordingsOf(stream)).find((r) => r.state === 'ready');
        return Boolean(ready);
      },
      { timeoutMs: 30_000, what: `a ready recording of ${stream.name}` },
    );
    return ready!;
  };
  const publishRun = async (publish: Publish, from: number, count: number) => {
    for (let seq = from; seq < from + count; seq++) await fixture.publishSegment(publish, seq, segments[seq % segments.length]);
  };
  const text = async (path: string) => {
    const res = await fetch(`${stitcher.url}${path}`);
    expect(res.status, path).toBe(200);
    return res.text();
  };

  beforeAll(async () => {
    scene = await StitcherScene.start('stitcher-recordings', { mediaSeconds: 10, mode: 'passthrough' });
    ({ env, lp, fixture, segments } = scene);
    stitcher = await spawnApp('stitcher', stitcherEnv(env, lp, settings));
    subscriber = new IORedis(TEST_REDIS_URL);
    await subscriber.subscribe(redisKeys(env.id).lifecycleEventsChannel());
    subscriber.on('message', (_channel, message) => {
      const event = decodeLifecycleEvent(message);
      if (event) events.push(event);
    });
  });

  afterAll(async () => {
    subscriber?.disconnect();
    await worker?.proc.stop();
    await stitcher?.proc.stop();
    await scene?.close();
  });

  let recorded: RecordingEntity;
  let recordedStream: StreamEntity;

  it('records a session: VOD playlists valid by the HLS rules, decodable, with the durations of the ledger', async () => {
    recordedStream = await fixture.createStream('recorded', ladder, { record: true });
    const publish = await fixture.startSession(recordedStream);
    // Before the first segment there is no thumbnail, and the 404 says why.
    const early = await fetch(`${stitcher.url}/hls/${recordedStream.playbackId}/thumbnail.jpg`);
    expect(early.status).toBe(404);
    expect(await early.text()).toMatch(/no thumbnail yet/);

    await publishRun(publish, 0, 5);
    await waitFor(async () => (await fixture.renditionRows.count({ where: { sessionId: publish.session.id } })) === 10, {
      timeoutMs: 30_000,
      what: 'five segments republished in low and source',
    });
    expect((await recordingsOf(recordedStream)).map((r) => r.state)).toEqual(['recording']);
    await fixture.endSession(publish);
    recorded = await readyRecording(recordedStream);

    const rows = await fixture.renditionRows.find({ where: { sessionId: publish.session.id, rendition: 'source' } });
    const ledgerMs = rows.reduce((sum, r) => sum + r.durationMs!, 0);
    expect(recorded.durationMs).toBe(ledgerMs);
    expect(recorded.segments).toBe(5);
    expect(recorded.variants!.sort()).toEqual(['low', 'source']);

    const master = await text(`/vod/${recorded.id}/index.m3u8`);
    expect(validateMasterPlaylist(master)).toEqual([]);
    for (const variant of ['low', 'source']) {
      const media = await text(`/vod/${recorded.id}/${variant}/index.m3u8`);
      expect(validateMediaPlaylist(media, { targetDuration: 2 })).toEqual([]);
      expect(media).toContain('#EXT-X-PLAYLIST-TYPE:VOD');
      expect(media).toContain('#EXT-X-ENDLIST');
      const parsed = parseMediaPlaylist(media);
      expect(parsed.segments).toHaveLength(5);
      expect(parsed.segments.every((s) => s.programDateTime !== undefined)).toBe(true);
      expect(Math.round(parsed.segments.reduce((sum, s) => sum + s.duration, 0) * 1000)).toBe(ledgerMs);
      // ffmpeg reads the whole playlist through the stitcher and decodes every frame.
      const url = `${stitcher.url}/vod/${recorded.id}/${variant}/index.m3u8`;
      const { stderr } = await run(FFMPEG_PATH, ['-v', 'error', '-i', url, '-f', 'null', '-']);
      expect(stderr).toBe('');
      expect(Math.abs((await probeMedia(url)).duration * 1000 - ledgerMs)).toBeLessThan(500);
    }
    await waitFor(async () => (await fetch(`${stitcher.url}/vod/${recorded.id}/thumbnail.jpg`)).status === 200, {
      timeoutMs: 10_000,
      what: 'the recording thumbnail',
    });
    await waitFor(() => events.some((e) => e.type === 'recording.ready' && e.recordingId === recorded.id), {
      timeoutMs: 5000,
      what: 'recording.ready on the lifecycle channel',
    });
  });

  it('lists the recording in the admin API by stream and by session', async () => {
    const byStream = await api(`/api/streams/${recordedStream.id}/recordings`);
    expect(byStream.status).toBe(200);
    expect(byStream.body).toHaveLength(1);
    expect(byStream.body[0]).toMatchObject({ id: recorded.id, state: 'ready', durationMs: recorded.durationMs, mp4: [] });
    expect(byStream.body[0].playbackUrl).toMatch(new RegExp(`/vod/${recorded.id}/index\\.m3u8$`));
    const bySession = await api(`/api/sessions/${byStream.body[0].sessionIds[0]}/recordings`);
    expect(bySession.body.map((r: { id: string }) => r.id)).toEqual([recorded.id]);
    expect((await api(`/api/recordings/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
    const bad = await api(`/api/recordings/${recorded.id}/export`, { method: 'POST', body: JSON.stringify({ variant: 'nope' }) });
    expect(bad.status).toBe(409);
  });

  it('changes stream settings through the admin API, refusing bad values, and documents the endpoints', async () => {
    const stream = await fixture.createStream('settings', ladder);
    const refused = await api(`/api/streams/${stream.id}/settings`, {
      method: 'PUT',
      body: JSON.stringify({ dvrWindowSeconds: 5, record: 'yes' }),
    });
    expect(refused.status).toBe(400);
    expect(Object.keys(refused.body.errors).sort()).toEqual(['dvrWindowSeconds', 'record']);
    expect(await fixture.streams.findOneByOrFail({ id: stream.id })).toMatchObject({ record: false, dvrWindowSeconds: null });
    const changed = await api(`/api/streams/${stream.id}/settings`, {
      method: 'PUT',
      body: JSON.stringify({ record: true, dvrWindowSeconds: 3600, recordingRetentionDays: 0 }),
    });
    expect(changed.body).toMatchObject({ record: true, dvrWindowSeconds: 3600, recordingRetentionDays: 0 });
    const doc = await (await fetch(`${stitcher.url}/docs-json`)).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/streams/{id}/settings',
        '/api/streams/{id}/recordings',
        '/api/sessions/{id}/recordings',
        '/api/recordings/{id}',
        '/api/recordings/{id}/export',
      ]),
    );
    expect(Object.keys(doc.paths).some((p) => p.startsWith('/vod'))).toBe(false);
    expect(doc.paths['/api/recordings/{id}'].get.responses['200'].content['application/json'].schema.properties.state.enum).toEqual([
      'recording',
      'ready',
      'failed',
      'deleted',
    ]);
  });

  it('keeps the recording when the live retention removes the session objects', async () => {
    const [session] = await fixture.sessions.find({ where: { streamId: recordedStream.id } });
    await waitFor(async () => (await fixture.sessions.findOneBy({ id: session.id }))?.purgedAt != null, {
      timeoutMs: 20_000,
      what: 'the live retention to purge the ended session',
    });
    expect(await fixture.storage.list(objectKeys.hlsStream(recordedStream.playbackId))).toEqual([]);
    const kept = await fixture.storage.list(objectKeys.recording(recorded.id));
    expect(kept.filter((o) => o.key.endsWith('.ts'))).toHaveLength(10);
    const url = `${stitcher.url}/vod/${recorded.id}/source/index.m3u8`;
    expect((await run(FFMPEG_PATH, ['-v', 'error', '-i', url, '-f', 'null', '-'])).stderr).toBe('');
  });

  it('exports an MP4 with the recording duration and layout, downloadable with ranges', async () => {
    worker = await spawnApp('worker', env.processEnv({ LIVEPEER_API_URL: lp.apiUrl }));
    const queued = await api(`/api/recordings/${recorded.id}/export`, { method: 'POST', body: JSON.stringify({ variant: 'source' }) });
    expect(queued.status).toBe(202);
    expect(queued.body.mp4[0]).toMatchObject({ variant: 'source', state: 'queued' });
    await waitFor(async () => (await api(`/api/recordings/${recorded.id}`)).body.mp4[0].state === 'ready', {
      timeoutMs: 60_000,
      what: 'the MP4 export',
    });
    const view = (await api(`/api/recordings/${recorded.id}`)).body;
    expect(view.mp4[0].progress).toBe(100);
    const path = `/vod/${recorded.id}/source.mp4`;
    const whole = await fetch(`${stitcher.url}${path}`);
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    const bytes = Buffer.from(await whole.arrayBuffer());
    expect(bytes.length).toBe(view.mp4[0].bytes);
    // faststart: the moov box comes before the media data.
    expect(bytes.indexOf('moov')).toBeLessThan(bytes.indexOf('mdat'));
    const part = await fetch(`${stitcher.url}${path}`, { headers: { range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-199/${bytes.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(100, 200))).toBe(true);
    expect((await fetch(`${stitcher.url}${path}`, { headers: { range: `bytes=${bytes.length}-` } })).status).toBe(416);

    const info = await probeMedia(`${stitcher.url}${path}`);
    expect(info.formatName).toMatch(/mp4/);
    expect(Math.abs(info.duration * 1000 - recorded.durationMs!)).toBeLessThan(500);
    expect(info.streams.map((s) => `${s.type}:${s.codec}`).sort()).toEqual(['audio:aac', 'video:h264']);
    expect(events.some((e) => e.type === 'asset.export-ready' && e.recordingId === recorded.id)).toBe(true);
  });

  it('shows the recording on the dashboard: thumbnail in the streams list, playback and the MP4 link', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(stitcher.url);
      await page.fill('#token', ADMIN_TOKEN);
      await page.click('#sign-in');
      await page.locator('#nav').waitFor();
      await page.evaluate(() => (location.hash = '#streams'));
      const row = page.locator(`#streams-table tr[data-stream-id="${recordedStream.id}"]`);
      await row.locator('a.recordings').click();
      const recordingRow = page.locator(`#recordings-table tr[data-recording-id="${recorded.id}"]`);
      await recordingRow.locator('a', { hasText: 'source.mp4' }).waitFor({ timeout: 20_000 });
      expect(await recordingRow.locator('img.thumbnail').getAttribute('src')).toBe(`/vod/${recorded.id}/thumbnail.jpg`);
      await recordingRow.locator('button', { hasText: 'Play' }).click();
      await page.waitForFunction(() => (document.querySelector<HTMLVideoElement>('#recording-player')?.currentTime ?? 0) > 1, undefined, {
        timeout: 30_000,
      });
      // The streams list shows the live thumbnail of a stream that has one (the thumbnails test's is live later).
      await page.evaluate(() => (location.hash = '#streams'));
      await expect(page.locator(`#streams-table tr[data-stream-id="${recordedStream.id}"] img.thumbnail`).count()).resolves.toBe(1);
    } finally {
      await browser.close();
    }
  });

  it('deletes a recording with its objects', async () => {
    const deleted = await api(`/api/recordings/${recorded.id}`, { method: 'DELETE' });
    expect(deleted.status).toBe(200);
    expect(deleted.body.state).toBe('deleted');
    expect(await fixture.storage.list(objectKeys.recording(recorded.id))).toEqual([]);
    expect((await fetch(`${stitcher.url}/vod/${recorded.id}/index.m3u8`)).status).toBe(404);
  });

  it('makes one recording with a discontinuity of a reconnect within the grace', async () => {
    const stream = await fixture.createStream('reconnecting', ladder, { record: true });
    const first = await fixture.startSession(stream);
    await publishRun(first, 0, 3);
    await waitFor(async () => (await fixture.renditionRows.count({ where: { sessionId: first.session.id } })) === 6, {
      timeoutMs: 30_000,
      what: 'the first session republished',
    });
    await fixture.endSession(first);
    const second = await fixture.startSession(stream);
    await publishRun(second, 0, 3);
    await waitFor(async () => (await fixture.renditionRows.count({ where: { sessionId: second.session.id } })) === 6, {
      timeoutMs: 30_000,
      what: 'the second session republished',
    });
    await fixture.endSession(second);
    const recording = await readyRecording(stream);
    expect(await recordingsOf(stream)).toHaveLength(1);
    const view = (await api(`/api/recordings/${recording.id}`)).body;
    expect(view.sessionIds.sort()).toEqual([first.session.id, second.session.id].sort());
    const media = await text(`/vod/${recording.id}/source/index.m3u8`);
    expect(validateMediaPlaylist(media, { targetDuration: 2 })).toEqual([]);
    const parsed = parseMediaPlaylist(media);
    expect(parsed.segments).toHaveLength(6);
    expect(parsed.segments.map((s) => s.discontinuity)).toEqual([false, false, false, true, false, false]);
  });

  it('resumes an MP4 export whose worker was killed midway', async () => {
    // A long recording written directly (a minute of half-second segments), so the export takes a while.
    const media = await makeSegments({ seconds: 60, segmentSeconds: 0.5 });
    const stream = await fixture.createStream('long', ladder);
    const id = '11111111-2222-4333-8444-555555555555';
    const rows = media.segments.map((s, msn) => ({
      rendition: 'source',
      msn,
      durationMs: 500,
      bytes: s.bytes.length,
      discontinuity: false,
      programDateTime: null,
    }));
    const vod = buildVodPlaylists(rows, 1, Date.UTC(2026, 0, 1));
    for (const [msn, s] of media.segments.entries()) {
      await fixture.storage.put(objectKeys.recordingSegment(id, 'source', msn), s.bytes, CONTENT_TYPES.mpegts);
    }
    await media.cleanup();
    await fixture.storage.put(objectKeys.recordingMedia(id, 'source'), Buffer.from(vod.variants[0].text), CONTENT_TYPES.playlist);
    await fixture.ds.getRepository(RecordingEntity).save({
      id,
      streamId: stream.id,
      playbackId: stream.playbackId,
      state: 'ready',
      failureReason: null,
      variants: ['source'],
      startedAt: Date.now(),
      endedAt: Date.now(),
      durationMs: vod.durationMs,
      segments: rows.length,
      expiresAt: null,
      deletedAt: null,
    });
    expect((await api(`/api/recordings/${id}/export`, { method: 'POST', body: JSON.stringify({ variant: 'source' }) })).status).toBe(202);
    await waitFor(async () => (await api(`/api/recordings/${id}`)).body.mp4[0].progress > 0, {
      timeoutMs: 30_000,
      what: 'export progress',
    });
    worker!.proc.kill('SIGKILL');
    await worker!.proc.exited;
    const row = await fixture.ds.getRepository(RecordingExportEntity).findOneByOrFail({ recordingId: id, variant: 'source' });
    expect(row.state).toBe('running'); // killed midway, not finished
    worker = await spawnApp('worker', env.processEnv({ LIVEPEER_API_URL: lp.apiUrl }));
    await waitFor(async () => (await api(`/api/recordings/${id}`)).body.mp4[0].state === 'ready', {
      timeoutMs: 90_000,
      what: 'the export taken up again after the worker was killed',
    });
    const info = await probeMedia(`${stitcher.url}/vod/${id}/source.mp4`);
    expect(Math.abs(info.duration * 1000 - vod.durationMs)).toBeLessThan(500);
  });

  it('keeps dvrWindowSeconds of segments in the live playlists instead of PLAYLIST_WINDOW_SEGMENTS', async () => {
    const dvr = await fixture.createStream('dvr', ladder, { dvrWindowSeconds: 20 });
    const plain = await fixture.createStream('plain', ladder);
    const withDvr = await fixture.startSession(dvr);
    const without = await fixture.startSession(plain);
    for (let seq = 0; seq < 14; seq++) {
      await fixture.publishSegment(withDvr, seq, segments[seq % segments.length]);
      await fixture.publishSegment(without, seq, segments[seq % segments.length]);
    }
    const listed = async (playbackId: string) => {
      const res = await fetch(`${stitcher.url}/hls/${playbackId}/low/index.m3u8`);
      return res.status === 200 ? parseMediaPlaylist(await res.text()) : undefined;
    };
    // Every seq resolved (listed, or skipped under load) in both streams, then the windows are read.
    const resolved = (publish: Publish) => fixture.renditionRows.count({ where: { sessionId: publish.session.id, seq: 13 } });
    await waitFor(async () => (await resolved(withDvr)) > 0 && (await resolved(without)) > 0, {
      timeoutMs: 60_000,
      what: 'seq 13 resolved in both streams',
    });
    const listedRows = (publish: Publish) =>
      fixture.renditionRows.count({ where: { sessionId: publish.session.id, rendition: 'low', state: 'republished' } });
    const dvrListed = await listedRows(withDvr);
    expect(dvrListed).toBeGreaterThan(10);
    await waitFor(async () => (await listed(dvr.playbackId))?.segments.length === 10, { timeoutMs: 10_000, what: 'the DVR playlist' });
    expect((await listed(dvr.playbackId))!.segments).toHaveLength(10); // 20 s of 2 s segments
    expect((await listed(plain.playbackId))!.segments).toHaveLength(4); // PLAYLIST_WINDOW_SEGMENTS of the test
  });

  it('updates the live thumbnail as segments are listed, at most once per interval', async () => {
    const stream = await fixture.createStream('thumbs', ladder);
    const publish = await fixture.startSession(stream);
    const thumbnail = async () => {
      const res = await fetch(`${stitcher.url}/hls/${stream.playbackId}/thumbnail.jpg`);
      return res.status === 200 ? { type: res.headers.get('content-type'), bytes: Buffer.from(await res.arrayBuffer()) } : undefined;
    };
    await fixture.publishSegment(publish, 0, segments[0]);
    let first: { type: string | null; bytes: Buffer } | undefined;
    await waitFor(async () => Boolean((first = await thumbnail())), { timeoutMs: 20_000, what: 'the first thumbnail' });
    expect(first!.type).toBe('image/jpeg');
    expect(first!.bytes.subarray(0, 2).toString('hex')).toBe('ffd8');
    // The next thumbnail is due one interval after the first run started: list the next segment after it.
    await new Promise((r) => setTimeout(r, 1100));
    await fixture.publishSegment(publish, 1, segments[2]);
    await waitFor(async () => !(await thumbnail())!.bytes.equals(first!.bytes), { timeoutMs: 20_000, what: 'a newer thumbnail' });
  });
});
