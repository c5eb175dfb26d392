import { parseMediaPlaylist } from '@lib/hls';
import { probeMedia } from '@lib/media';
import { playVodToEnd, waitFor } from '@lib/testing';
import { CreatedStream, Pipeline, SegmentCollector } from './support/pipeline';

interface RecordingAnswer {
  id: string;
  state: string;
  durationMs: number | null;
  playbackUrl: string | null;
  mp4: { variant: string; state: string; progress: number; url: string | null }[];
}

/**
 * A stream created with `record: true` and published for 30 s over RTMP (whole system, copy
 * transcoding) becomes a VOD recording once the stream ends; hls.js in Chromium plays it from
 * its start to its end, and its MP4 export lasts what the recording lasts.
 */
describe('recording of a published stream', () => {
  let pipeline: Pipeline;
  let stream: CreatedStream;
  let collector: SegmentCollector;
  let recording: RecordingAnswer;
  let endedAt = 0;
  let readyAt = 0;

  beforeAll(async () => {
    pipeline = await Pipeline.start({ name: 'e2e-recording', transcodeMode: 'copy' });
    stream = await pipeline.admin<CreatedStream>('/api/streams', {
      method: 'POST',
      body: JSON.stringify({ name: 'e2e recording', ladder: { presets: ['P144p30fps16x9'] }, record: true }),
    });
    collector = pipeline.watch(stream);
    await pipeline.publish(stream, 30).exited;
    await collector.untilEnded();
    endedAt = Date.now();
    await waitFor(
      async () => {
        [recording] = await pipeline.admin<RecordingAnswer[]>(`/api/streams/${stream.id}/recordings`);
        return recording?.state === 'ready';
      },
      { timeoutMs: 30_000, intervalMs: 50, what: 'the recording ready' },
    );
    readyAt = Date.now();
  });
  afterAll(() => pipeline?.stop());

  it('is ready right after the live playlists end, as long as what was published', async () => {
    // Measured, not asserted (shared machine): from this watcher seeing #EXT-X-ENDLIST to the ready answer.
    console.log(`[recording] ready ${readyAt - endedAt} ms after the live playlists ended; ${recording.durationMs} ms long`);
    // Every segment the live source playlist ever listed is in the recording, with its duration.
    const media = parseMediaPlaylist(await (await fetch(`${pipeline.stitcher}/vod/${recording.id}/source/index.m3u8`)).text());
    const listedLive = collector.watcher.media.get('source')!.listed;
    expect(media.segments.map((s) => Number(s.uri.replace('.ts', '')))).toEqual([...listedLive].sort((a, b) => a - b));
    expect(Math.round(media.segments.reduce((sum, s) => sum + s.duration, 0) * 1000)).toBe(recording.durationMs);
    expect(recording.durationMs).toBeGreaterThan(20_000);
  });

  it('plays in hls.js in Chromium from start to end', async () => {
    const played = await playVodToEnd(pipeline.stitcher, recording.playbackUrl!.replace(/^https?:\/\/[^/]+/, pipeline.stitcher));
    expect(played.ended).toBe(true);
    expect(played.startedAt).toBeLessThan(1);
    expect(Math.abs(played.duration * 1000 - recording.durationMs!)).toBeLessThan(500);
    expect(played.reached).toBeGreaterThan(played.duration - 0.5);
  });

  it('exports an MP4 whose duration is within 0.5 s of the recording', async () => {
    await pipeline.admin(`/api/recordings/${recording.id}/export`, { method: 'POST', body: JSON.stringify({ variant: 'source' }) });
    let mp4: RecordingAnswer['mp4'][number] | undefined;
    await waitFor(
      async () => {
        mp4 = (await pipeline.admin<RecordingAnswer>(`/api/recordings/${recording.id}`)).mp4[0];
        return mp4?.state === 'ready';
      },
      { timeoutMs: 60_000, what: 'the MP4 export' },
    );
    const info = await probeMedia(`${pipeline.stitcher}/vod/${recording.id}/source.mp4`);
    expect(Math.abs(info.duration * 1000 - recording.durationMs!)).toBeLessThan(500);
    expect(info.streams.map((s) => s.type).sort()).toEqual(['audio', 'video']);
  });
});
