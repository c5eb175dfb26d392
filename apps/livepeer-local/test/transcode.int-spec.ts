import { parseMediaPlaylist } from '@lib/hls';
import { pushSegment } from '@lib/testing';
import { probeMedia, type MediaInfo, type SyntheticSegment } from '@lib/media';
import { LivepeerLocal, makeSegments, startLivepeerLocal, text } from './helpers';

/**
 * Real transcoding through the whole path: a stream created through the API, a segment PUT to a
 * broadcaster, every rendition checked with ffprobe against the source segment (Livepeer
 * stream-tester's rule: first PTS and duration within 100 ms).
 */
describe('livepeer-local transcoding (ffmpeg)', () => {
  let lp: LivepeerLocal;
  let segments: SyntheticSegment[];
  let cleanupMedia: () => Promise<void>;

  beforeAll(async () => {
    ({ segments, cleanup: cleanupMedia } = await makeSegments(4));
    lp = await startLivepeerLocal({ LIVEPEER_LOCAL_BROADCASTERS: 1, LIVEPEER_LOCAL_TRANSCODE_MODE: 'ffmpeg' });
  });
  afterAll(async () => {
    await lp?.stop();
    await cleanupMedia?.();
  });

  it('returns every profile at its resolution, frame rate and bitrate, aligned with the source', async () => {
    const profiles = [
      { name: '240p', width: 426, height: 240, bitrate: 250_000, fps: 30 },
      { name: '144p15', width: 256, height: 144, bitrate: 150_000, fps: 15, gop: '1.0', profile: 'H264Baseline' as const },
      // a box larger than the source and of another shape: never upscaled, aspect ratio kept
      { name: 'big43', width: 960, height: 720, bitrate: 600_000, fps: 0 },
    ];
    const expected = [
      { width: 426, height: 240, fps: 30 },
      { width: 256, height: 144, fps: 15 },
      { width: 640, height: 360, fps: 30 },
    ];
    const stream = await lp.client.createStream({ name: 'transcode-test', profiles });
    const [broadcaster] = await lp.client.listBroadcasters();
    const source = segments[1];
    const sourceInfo = await probeMedia(source.bytes);

    const result = await pushSegment({
      broadcasterUrl: broadcaster.address,
      manifestId: stream.id,
      seq: source.seq,
      body: source.bytes,
      durationMs: Math.round(sourceInfo.duration * 1000),
      resolution: { width: 640, height: 360 },
      multipart: true,
      timeoutMs: 60_000,
    });
    expect(result.renditions.map((r) => r.name)).toEqual(profiles.map((p) => p.name));

    for (const [i, rendition] of result.renditions.entries()) {
      const info: MediaInfo = await probeMedia(rendition.data, { countPackets: true });
      const label = `${rendition.name}: ${JSON.stringify(info.video)}`;
      expect(info.formatName, label).toBe('mpegts');
      expect(info.video, label).toMatchObject({ codec: 'h264', width: expected[i].width, height: expected[i].height });
      expect(info.video!.fps, label).toBeCloseTo(expected[i].fps, 1);
      expect(Math.abs(info.video!.bitrate! - profiles[i].bitrate) / profiles[i].bitrate, label).toBeLessThan(0.3);
      expect(Math.abs(info.startTime - sourceInfo.startTime), label).toBeLessThan(0.1);
      expect(Math.abs(info.duration - sourceInfo.duration), label).toBeLessThan(0.1);
      expect(Math.abs(info.video!.startTime! - sourceInfo.video!.startTime!), label).toBeLessThan(0.1);
      expect(info.audio, label).toMatchObject({ codec: 'aac' });
    }
    expect((await probeMedia(result.renditions[1].data)).video!.profile).toBe('Constrained Baseline');

    // The amalgamated playlists list the segment with an absolute broadcaster URI serving the same bytes.
    for (const [i, profile] of profiles.entries()) {
      const playlist = await text(`${lp.url}${stream.renditions[profile.name]}`);
      expect(playlist.status).toBe(200);
      const media = parseMediaPlaylist(playlist.body);
      const uri = `${broadcaster.address}/stream/${stream.id}/${profile.name}/${source.seq}.ts`;
      expect(media.segments.map((s) => s.uri)).toEqual([uri]);
      expect(media.segments[0].duration).toBeCloseTo(sourceInfo.duration, 2);
      const bytes = Buffer.from(await (await fetch(uri)).arrayBuffer());
      expect(bytes.equals(result.renditions[i].data)).toBe(true);
    }
  });
});
