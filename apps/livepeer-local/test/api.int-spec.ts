import { LivepeerApiClient, LivepeerConfigError, LivepeerNotFoundError, LivepeerRetryableError, type LivepeerStream } from '@lib/livepeer';
import { API_KEY, LivepeerLocal, startLivepeerLocal, text } from './helpers';

/** Protocol tests of the livepeer-local API (docs/livepeer-protocol.md §2.1, §3, §3.4). */
describe('livepeer-local API', () => {
  let lp: LivepeerLocal;

  beforeAll(async () => {
    lp = await startLivepeerLocal({
      LIVEPEER_LOCAL_BROADCASTERS: 2,
      LIVEPEER_LOCAL_REGIONS: 'eu,us',
      LIVEPEER_LOCAL_TRANSCODE_MODE: 'passthrough',
    });
  });
  afterAll(() => lp?.stop());

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    text(`${lp.apiUrl}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${API_KEY}`, ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  describe('POST /api/stream', () => {
    it('needs a known bearer token: 401 {"errors":[...]}', async () => {
      const missing = await text(`${lp.apiUrl}/stream`, {
        method: 'POST',
        body: '{"name":"x"}',
        headers: { 'Content-Type': 'application/json' },
      });
      expect(missing.status).toBe(401);
      expect(JSON.parse(missing.body)).toEqual({ errors: ['missing auth token'] });
      const wrong = await post('/stream', { name: 'x' }, { Authorization: 'Bearer not-a-key' });
      expect(wrong.status).toBe(401);
      expect(JSON.parse(wrong.body).errors).toHaveLength(1);
      expect(wrong.body).not.toContain('not-a-key');
    });

    it('creates a stream with the default ladder: 201 and every documented field', async () => {
      const created = await post('/stream', { name: 'plain' });
      expect(created.status).toBe(201);
      const stream = JSON.parse(created.body) as LivepeerStream;
      expect(stream.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(stream).toMatchObject({ name: 'plain', kind: 'stream', isActive: false, lastSeen: 0, presets: [] });
      expect(typeof stream.streamKey).toBe('string');
      expect(typeof stream.playbackId).toBe('string');
      expect(typeof stream.createdAt).toBe('number');
      expect(stream.profiles.map((p) => [p.name, p.width, p.height, p.bitrate, p.fps])).toEqual([
        ['240p0', 426, 240, 250000, 0],
        ['360p0', 640, 360, 800000, 0],
        ['480p0', 854, 480, 1600000, 0],
        ['720p0', 1280, 720, 3000000, 0],
      ]);
      expect(stream.renditions).toEqual(
        Object.fromEntries(['240p0', '360p0', '480p0', '720p0'].map((n) => [n, `/stream/${stream.id}/${n}.m3u8`])),
      );
    });

    it('keeps given profiles and presets', async () => {
      const stream = await lp.client.createStream({
        name: 'ladder',
        profiles: [{ name: 'low', width: 256, height: 144, bitrate: 200_000, fps: 15, gop: '2.0', profile: 'H264Baseline' }],
        presets: ['P240p30fps16x9'],
      });
      expect(stream.profiles).toEqual([
        { name: 'low', width: 256, height: 144, bitrate: 200_000, fps: 15, gop: '2.0', profile: 'H264Baseline' },
      ]);
      expect(stream.presets).toEqual(['P240p30fps16x9']);
      expect(Object.keys(stream.renditions)).toEqual(['low', 'P240p30fps16x9']);
      const presetsOnly = await lp.client.createStream({ name: 'p', presets: ['P144p30fps16x9'] });
      expect(presetsOnly.profiles).toEqual([]);
      expect(presetsOnly.renditions).toEqual({ P144p30fps16x9: `/stream/${presetsOnly.id}/P144p30fps16x9.m3u8` });
    });

    it('answers 422 naming each bad field', async () => {
      const answer = await post('/stream', {
        name: 'bad',
        profiles: [
          { name: 'a', width: 426, height: 100, bitrate: 250000, fps: 30 },
          { name: 'a', width: 426, height: 240, bitrate: 300, fps: 1.5, profile: 'H265' },
          { name: 'source', width: 426, height: 240, bitrate: 400, fps: 0 },
        ],
        presets: ['P1080p60fps16x9'],
      });
      expect(answer.status).toBe(422);
      const { errors } = JSON.parse(answer.body) as { errors: string[] };
      expect(errors).toEqual(
        expect.arrayContaining([
          'profiles[0].height must be >= 128',
          'profiles[1].bitrate must be >= 400',
          'profiles[1].fps must be an integer',
          'profiles[1].name "a" is not unique (also profiles[0].name)',
          'profiles[2].name must not be "source"',
        ]),
      );
      expect(errors.some((e) => e.startsWith('profiles[1].profile must be one of'))).toBe(true);
      expect(errors.some((e) => e.startsWith('presets[0] must be one of'))).toBe(true);
      expect((await post('/stream', {})).status).toBe(422);
      const badJson = await post('/stream', '{not json');
      expect(badJson.status).toBe(400);
      expect(JSON.parse(badJson.body).errors).toHaveLength(1);
    });

    it('turns 422 into LivepeerConfigError in the client, and a bad key into a retryable error', async () => {
      const err = await lp.client
        .createStream({ name: 'x', profiles: [{ name: 'x', width: 1, height: 1, bitrate: 1, fps: 0 }] })
        .catch((e) => e);
      expect(err).toBeInstanceOf(LivepeerConfigError);
      expect(err.errors).toContain('profiles[0].width must be >= 128');
      expect(err.retryable).toBe(false);
      const stranger = new LivepeerApiClient({ apiUrl: lp.apiUrl, apiKey: 'wrong' });
      const unauthorised = await stranger.createStream({ name: 'x' }).catch((e) => e);
      expect(unauthorised).toBeInstanceOf(LivepeerRetryableError);
      expect(unauthorised.status).toBe(401);
      const nobody = new LivepeerApiClient({ apiUrl: 'http://127.0.0.1:1/api', apiKey: 'k', timeoutMs: 2000 });
      await expect(nobody.listBroadcasters()).rejects.toBeInstanceOf(LivepeerRetryableError);
    });

    it('hydrates the legacy LivepeerWowza payload into profiles and renditions', async () => {
      const stream = await lp.client.createStream({
        name: 'test_stream',
        presets: [],
        renditions: {},
        wowza: {
          transcoderAppConfig: { templatesInUse: '${SourceStreamName}.xml,transrate.xml' },
          transcoderTemplateAppConfig: {
            transrate: {
              name: 'transrate',
              encodes: [
                {
                  name: 'source',
                  enable: true,
                  streamName: 'mp4:${SourceStreamName}_source',
                  videoCodec: 'PassThru',
                  width: 0,
                  height: 0,
                  videoBitrate: '${SourceVideoBitrate}',
                },
                {
                  name: '720p',
                  enable: false,
                  streamName: 'mp4:${SourceStreamName}_720p',
                  videoCodec: 'H.264',
                  width: 1280,
                  height: 720,
                  videoBitrate: '1300000',
                },
                {
                  name: '360p',
                  enable: true,
                  streamName: 'mp4:${SourceStreamName}_360p',
                  videoCodec: 'H.264',
                  width: 640,
                  height: 360,
                  videoBitrate: '850000',
                },
                {
                  name: '240p',
                  enable: true,
                  streamName: 'mp4:${SourceStreamName}_240p',
                  videoCodec: 'H.264',
                  width: 360,
                  height: 240,
                  videoBitrate: '350000',
                },
              ],
              streamNameGroups: [
                { name: 'all', streamName: '${SourceStreamName}_all', Members: [{ encodeName: '360p' }, { encodeName: '240p' }] },
              ],
            },
          },
          sourceInfo: { width: 1920, height: 1080, fps: 30 },
          streamNameGroups: [],
        },
      });
      expect(stream.profiles).toEqual([
        { name: 'test_stream_360p', width: 640, height: 360, bitrate: 850000, fps: 30 },
        { name: 'test_stream_240p', width: 360, height: 240, bitrate: 350000, fps: 30 },
      ]);
      expect(stream.renditions).toEqual({
        test_stream_source: `/stream/${stream.id}/source.m3u8`,
        test_stream_360p: `/stream/${stream.id}/test_stream_360p.m3u8`,
        test_stream_240p: `/stream/${stream.id}/test_stream_240p.m3u8`,
      });
      expect(stream.presets).toEqual([]);
      expect((stream.wowza as { streamNameGroups: unknown }).streamNameGroups).toEqual([
        { name: 'test_stream_all', renditions: ['test_stream_360p', 'test_stream_240p'] },
      ]);
      const noTemplate = await post('/stream', {
        name: 's',
        wowza: {
          transcoderAppConfig: { templatesInUse: 'x.xml' },
          transcoderTemplateAppConfig: {},
          sourceInfo: { width: 1, height: 1, fps: 1 },
          streamNameGroups: [],
        },
      });
      expect(noTemplate.status).toBe(422);
      expect(JSON.parse(noTemplate.body)).toEqual({ errors: ['wowza: no template found from templatesInUse'] });
    });
  });

  describe('GET and DELETE /api/stream/:id', () => {
    it('reads back (200), deletes (204) and then does not find (404)', async () => {
      const stream = await lp.client.createStream({ name: 'gone soon' });
      expect(await lp.client.getStream(stream.id)).toEqual(stream);
      expect((await text(`${lp.apiUrl}/stream/${stream.id}`)).status).toBe(401);
      const deleted = await text(`${lp.apiUrl}/stream/${stream.id}`, { method: 'DELETE', headers: { Authorization: `Bearer ${API_KEY}` } });
      expect(deleted.status).toBe(204);
      expect(deleted.body).toBe('');
      await expect(lp.client.getStream(stream.id)).rejects.toBeInstanceOf(LivepeerNotFoundError);
      // A delete is idempotent: the second one finds the stream already gone, which is no error.
      expect(await lp.client.deleteStream(stream.id)).toBe('already-gone');
      const missing = await text(`${lp.apiUrl}/stream/${stream.id}`, { headers: { Authorization: `Bearer ${API_KEY}` } });
      expect(missing.status).toBe(404);
      expect(JSON.parse(missing.body)).toEqual({ errors: ['not found'] });
    });
  });

  describe('GET /api/broadcaster', () => {
    it('lists healthy broadcasters as [{address}], shuffled, without auth', async () => {
      const orders = new Set<string>();
      for (let i = 0; i < 30; i++) {
        const answer = await text(`${lp.apiUrl}/broadcaster`);
        expect(answer.status).toBe(200);
        const list = JSON.parse(answer.body) as { address: string }[];
        expect(list.every((b) => Object.keys(b).join() === 'address')).toBe(true);
        expect(list.map((b) => b.address).sort()).toEqual(lp.broadcasters);
        orders.add(list.map((b) => b.address).join());
      }
      expect(orders.size).toBe(2);
    });

    it('puts the X-Livepeer-Region broadcasters first', async () => {
      const regionOf = async (address: string) => (await (await fetch(`${address}/status`)).json()).region as string;
      const regions = Object.fromEntries(await Promise.all(lp.broadcasters.map(async (a) => [a, await regionOf(a)])));
      expect(Object.values(regions).sort()).toEqual(['eu', 'us']);
      for (const region of ['eu', 'us', 'US']) {
        const client = new LivepeerApiClient({ apiUrl: lp.apiUrl, apiKey: API_KEY, region });
        for (let i = 0; i < 5; i++) {
          const [first] = await client.listBroadcasters();
          expect(regions[first.address]).toBe(region.toLowerCase());
        }
      }
    });

    it('reports each broadcaster status to an authenticated caller', async () => {
      const answer = await text(`${lp.apiUrl}/broadcaster/status`, { headers: { Authorization: `Bearer ${API_KEY}` } });
      expect(answer.status).toBe(200);
      const statuses = JSON.parse(answer.body) as Record<string, { healthy: boolean; status: { transcodeMode: string } }>;
      expect(Object.keys(statuses).sort()).toEqual(lp.broadcasters);
      expect(Object.values(statuses).every((s) => s.healthy && s.status.transcodeMode === 'passthrough')).toBe(true);
    });
  });

  describe('POST /api/stream/hook', () => {
    it('answers the ladder of a known stream for an http or rtmp push URL', async () => {
      const stream = await lp.client.createStream({ name: 'hooked', presets: ['P144p30fps16x9'] });
      for (const url of [`http://b:8935/live/${stream.id}/12.ts`, `rtmp://b/live/${stream.id}`]) {
        const answer = await post('/stream/hook', { url }, { Authorization: '' });
        expect(answer.status).toBe(200);
        expect(JSON.parse(answer.body)).toEqual({ manifestId: stream.id, presets: ['P144p30fps16x9'], profiles: [] });
      }
      expect((await lp.client.getStream(stream.id)).lastSeen).toBeGreaterThan(0);
    });

    it('refuses what it cannot authorise with the reference statuses', async () => {
      const cases: [unknown, number][] = [
        [{}, 422],
        [{ url: 'not a url' }, 422],
        [{ url: 'ftp://b/live/x/1.ts' }, 422],
        [{ url: 'http://b/other/x/1.ts' }, 404],
        [{ url: 'http://b/live/x' }, 422],
        [{ url: 'http://b/live//1.ts' }, 401],
        [{ url: 'http://b/live/00000000-0000-0000-0000-000000000000/1.ts' }, 404],
      ];
      for (const [body, status] of cases) {
        const answer = await post('/stream/hook', body);
        expect({ body, status: answer.status }).toEqual({ body, status });
        expect(Array.isArray(JSON.parse(answer.body).errors)).toBe(true);
      }
    });
  });

  it('is ready once its broadcasters are, and serves health and metrics', async () => {
    expect((await text(`${lp.url}/health/ready`)).status).toBe(200);
    expect((await text(`${lp.url}/health/live`)).status).toBe(200);
    expect((await text(`${lp.url}/metrics`)).body).toContain('process_cpu');
  });
});
