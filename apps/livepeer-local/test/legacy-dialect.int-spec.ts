import { parseMasterPlaylist } from '@lib/hls';
import { LivepeerConfigError } from '@lib/livepeer';
import type { SyntheticSegment } from '@lib/media';
import { pushSegment, waitFor } from '@lib/testing';
import { API_KEY, LivepeerLocal, makeSegments, startLivepeerLocal, status, text } from './helpers';

/**
 * livepeer-local answering like an older Livepeer API (LIVEPEER_LOCAL_DIALECT=legacy), within
 * what docs/livepeer-protocol.md §2.1 and §3.3 allow: the relay's tests run against it too.
 */
describe('livepeer-local, legacy dialect', () => {
  let lp: LivepeerLocal;
  let segments: SyntheticSegment[];
  let cleanupMedia: () => Promise<void>;

  beforeAll(async () => {
    ({ segments, cleanup: cleanupMedia } = await makeSegments(2));
    lp = await startLivepeerLocal({
      LIVEPEER_LOCAL_BROADCASTERS: 2,
      LIVEPEER_LOCAL_TRANSCODE_MODE: 'passthrough',
      LIVEPEER_LOCAL_DIALECT: 'legacy',
    });
  });
  afterAll(async () => {
    await lp?.stop();
    await cleanupMedia?.();
  });

  it('stores no profiles for a stream created without any, and answers without renditions or stream key', async () => {
    const stream = await lp.client.createStream({ name: 'bare' });
    expect(stream.profiles).toEqual([]);
    expect(stream.renditions).toEqual({});
    expect(stream).not.toHaveProperty('streamKey');
    const again = await lp.client.getStream(stream.id);
    expect(again.renditions).toEqual({});
    expect(again).not.toHaveProperty('streamKey');
  });

  it('lets the broadcaster transcode such a stream into its own default ladder', async () => {
    const stream = await lp.client.createStream({ name: 'own-ladder' });
    await pushSegment({ broadcasterUrl: lp.broadcasters[0], manifestId: stream.id, seq: 0, body: segments[0].bytes, durationMs: 2000 });
    const master = await text(`${lp.url}/stream/${stream.id}.m3u8`);
    expect(master.status).toBe(200);
    const names = parseMasterPlaylist(master.body).variants.map((v) => v.uri.split('/').pop()!.replace('.m3u8', ''));
    expect(names.sort()).toEqual(['P240p30fps4x3', 'P360p30fps16x9', 'source']);
  });

  it('refuses with 422 fps 0, the fields it does not know, and the 25 fps presets', async () => {
    const refused = async (ladder: Record<string, unknown>) => {
      const err = await lp.client.createStream({ name: 'x', ...ladder }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LivepeerConfigError);
      return (err as LivepeerConfigError).errors;
    };
    const base = { name: 'low', width: 426, height: 240, bitrate: 400_000, fps: 30 };
    expect(await refused({ profiles: [{ ...base, fps: 0 }] })).toEqual(['profiles[0].fps must be >= 1']);
    expect(await refused({ profiles: [{ ...base, gop: '2.0', profile: 'H264Main', fpsDen: 1 }] })).toEqual([
      'profiles[0].fpsDen is not allowed',
      'profiles[0].gop is not allowed',
      'profiles[0].profile is not allowed',
    ]);
    expect((await refused({ presets: ['P360p25fps16x9'] }))[0]).toMatch(/^presets\[0\] must be one of /);
    // What it knows is accepted.
    const ok = await lp.client.createStream({ name: 'ok', profiles: [base], presets: ['P240p30fps16x9'] });
    expect(ok.profiles).toEqual([base]);
  });

  it('answers 404 to DELETE of a stream it has', async () => {
    const stream = await lp.client.createStream({ name: 'kept' });
    const answer = await text(`${lp.apiUrl}/stream/${stream.id}`, { method: 'DELETE', headers: { Authorization: `Bearer ${API_KEY}` } });
    expect(answer.status).toBe(404);
    expect(await lp.client.deleteStream(stream.id)).toBe('already-gone');
  });

  it('keeps a killed broadcaster in its static list', async () => {
    const [b0] = lp.broadcasters;
    const { pid } = await status(b0);
    process.kill(pid, 'SIGKILL');
    // Proof the health check ran and saw it dead: the status endpoint reports it unhealthy.
    await waitFor(
      async () => {
        const all = JSON.parse((await text(`${lp.apiUrl}/broadcaster/status`, { headers: { Authorization: `Bearer ${API_KEY}` } })).body);
        return all[b0]?.healthy === false;
      },
      { timeoutMs: 10_000, what: 'the health check to see the broadcaster dead' },
    );
    expect((await lp.client.listBroadcasters()).map((b) => b.address).sort()).toEqual(lp.broadcasters);
  });
});
