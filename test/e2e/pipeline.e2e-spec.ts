import { parseMediaPlaylist } from '@lib/hls';
import type { Browser } from 'playwright-core';
import { launchChromium, playWithHlsJs, waitFor } from '@lib/testing';
import { CreatedStream, Pipeline, SegmentCollector, checkOutcome, describeLags } from './support/pipeline';

/**
 * The whole system under real publishing: ffmpeg publishes 60 s over RTMP (640x360,
 * 2 s GOP, audio; ladder 240p + 144p) -> ingest -> two workers -> livepeer-local with
 * two broadcasters transcoding with ffmpeg -> stitcher. No fault: nothing may be dropped.
 */
describe('live pipeline, real transcoding', () => {
  let pipeline: Pipeline;
  let stream: CreatedStream;
  let collector: SegmentCollector;
  let played = 0;
  const live = { from: 0, to: 0 };

  let browser: Browser | undefined;

  beforeAll(async () => {
    pipeline = await Pipeline.start({ name: 'e2e-base', transcodeMode: 'ffmpeg' });
    // Launched before going live: the launch is a burst of work on the two cores that real
    // transcoding shares, and a viewer's browser does not run on the relay's machine.
    browser = await launchChromium();
    stream = await pipeline.createStream('e2e base');
    collector = pipeline.watch(stream);
    live.from = Date.now();
    const publisher = pipeline.publish(stream, 60);
    // While live: a real player plays the master playlist.
    await waitFor(() => (collector.watcher.media.get('source')?.listed.size ?? 0) >= 4, {
      timeoutMs: 60_000,
      what: 'four republished segments',
    });
    played = await playWithHlsJs(
      `${pipeline.stitcher}/health/live`,
      `${pipeline.stitcher}/hls/${stream.playbackId}/index.m3u8`,
      10,
      60_000,
      browser,
    );
    await publisher.exited;
    live.to = Date.now();
    await collector.untilEnded();
  });
  afterAll(async () => {
    await browser?.close();
    await pipeline?.stop();
  });

  it('plays in hls.js while live', () => {
    expect(played).toBeGreaterThan(10);
  });

  it('declares the 2 s target duration of the 2 s GOP in every media playlist', () => {
    expect(collector.watcher.media.size).toBeGreaterThan(0);
    for (const [name, playlist] of collector.watcher.media) expect(playlist.last, name).toMatch(/^#EXT-X-TARGETDURATION:2$/m);
  });

  it('dates every segment of every variant with #EXT-X-PROGRAM-DATE-TIME, the same per msn in all of them', () => {
    const { watcher } = collector;
    const listed = new Set([...watcher.media.values()].flatMap((playlist) => [...playlist.listed]));
    expect(listed.size).toBeGreaterThanOrEqual(28);
    for (const msn of listed) expect(watcher.programDateTimes.get(msn)?.at, `msn ${msn}`).toEqual(expect.any(Number));
    for (const [name, playlist] of watcher.media) {
      const segments = parseMediaPlaylist(playlist.last!).segments;
      expect(
        segments.every((segment) => segment.programDateTime !== undefined),
        name,
      ).toBe(true);
    }
    expect(watcher.programDateTimeMismatches).toEqual([]);
  });

  it('republishes every segment in every rendition, valid and aligned with the source, with no drop', async () => {
    // Real transcoding on two shared cores: the gaps between new segments follow the transcode
    // time of each one, which jitters past 1.5 x target duration now and then (measured 3.1-3.4 s
    // under a full CI run); measured and logged here, asserted in the copy-mode cases.
    const outcome = await checkOutcome(pipeline, stream, collector, { maxDrops: 0, liveWindows: [live], stallFree: false });
    console.log(`[pipeline] gaps over 1.5 x target duration while live: ${JSON.stringify(outcome.stalls)}; ${describeLags(outcome.lags)}`);
    expect(outcome.ingested).toBeGreaterThanOrEqual(28);
    expect(outcome.republished).toBe(outcome.ingested);
  });

  it('reports the same accounting through the admin API session summary', async () => {
    const [session] = await pipeline.sessions(stream);
    const detail = await pipeline.admin<{ state: string; counts: { ingested: number; republished: number; dropped: { total: number } } }>(
      `/api/sessions/${session.id}`,
    );
    expect(detail.state).toBe('ended');
    expect(detail.counts.dropped.total).toBe(0);
    expect(detail.counts.republished).toBe(detail.counts.ingested);
  });
});
