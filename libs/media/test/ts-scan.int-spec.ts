import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FFMPEG_PATH, FFPROBE_PATH, runProcess } from '../src/process';
import { probeMedia } from '../src/probe';
import { generateTestSegments, testPatternArgs } from '../src/synthetic';
import { findSpsUnitInTransportStream } from '../src/codec-strings';
import { scanTransportSegment } from '../src/ts-mux';

/** ffprobe's keyframe times of the first video stream (packet flags), the reference the scan must match. */
async function ffprobeKeyframes(file: string): Promise<number[]> {
  const { stdout } = await runProcess(FFPROBE_PATH, [
    ...['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time,flags', '-of', 'csv=p=0', file],
  ]);
  return stdout
    .toString('utf8')
    .split('\n')
    .map((l) => l.trim().split(','))
    .filter(([pts, flags]) => flags?.includes('K') && pts !== 'N/A')
    .map(([pts]) => Number(pts))
    .sort((a, b) => a - b);
}

/** Every segment of an encoding, read by the scan and by ffprobe: start, duration and keyframes agree. */
async function expectScanMatchesFfprobe(files: string[]): Promise<void> {
  expect(files.length).toBeGreaterThan(1);
  for (const file of files) {
    const bytes = await readFile(file);
    const scan = scanTransportSegment(bytes);
    const probed = await probeMedia(file);
    // Within 10 ms: the precision the ledger and EXTINF keep.
    expect(Math.abs(scan.durationSeconds - probed.video!.duration!)).toBeLessThan(0.01);
    expect(Math.abs(scan.startSeconds - probed.video!.startTime!)).toBeLessThan(0.01);
    // The audio's start; its end ffprobe estimates from the last PES, not counted here.
    expect(Math.abs(scan.audio!.startSeconds - probed.audio!.startTime!)).toBeLessThan(0.01);
    const keyframes = await ffprobeKeyframes(file);
    expect(scan.video!.keyframes).toHaveLength(keyframes.length);
    scan.video!.keyframes.forEach((t, i) => expect(Math.abs(t - keyframes[i])).toBeLessThan(0.001));
    expect(scan.sps).toEqual(findSpsUnitInTransportStream(bytes));
  }
}

describe('MPEG-TS scan against ffprobe (real ffmpeg output)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ts-scan-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('reads the segments of an H.264 + AAC encoding as ffprobe does', async () => {
    const segments = await generateTestSegments({ dir, seconds: 6, width: 320, height: 180, segmentSeconds: 2 });
    await expectScanMatchesFfprobe(segments.map((s) => s.file));
    const [first, second] = segments.map((s) => scanTransportSegment(s.bytes));
    expect(second.signature).toBe(first.signature);
    expect(first.audio).toBeDefined();
  });

  it('reads B-frame video (PTS out of order, two keyframes a segment) and 1 s HLS segments', async () => {
    const args = testPatternArgs({ seconds: 4, gopFrames: 15, preset: 'fast' });
    await runProcess(FFMPEG_PATH, [
      ...args,
      ...['-bf', '2', '-f', 'hls', '-hls_time', '1', '-hls_segment_filename', path.join(dir, 'b%d.ts'), path.join(dir, 'b.m3u8')],
    ]);
    const files = (await readdir(dir)).filter((f) => f.endsWith('.ts')).map((f) => path.join(dir, f));
    await expectScanMatchesFfprobe(files);
  });

  it('tells a new encoding by its signature: another picture size changes the SPS', async () => {
    const small = await generateTestSegments({ dir, seconds: 2, width: 320, height: 180 });
    const otherDir = await mkdtemp(path.join(tmpdir(), 'ts-scan-'));
    try {
      const large = await generateTestSegments({ dir: otherDir, seconds: 2, width: 640, height: 360 });
      expect(scanTransportSegment(large[0].bytes).signature).not.toBe(scanTransportSegment(small[0].bytes).signature);
    } finally {
      await rm(otherDir, { recursive: true, force: true });
    }
  });
});
