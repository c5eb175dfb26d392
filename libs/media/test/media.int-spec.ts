import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MediaProcessError, runProcess } from '../src/process';
import { probeMedia } from '../src/probe';
import { generateTestSegments, SyntheticSegment } from '../src/synthetic';
import { transcodeSegment } from '../src/transcode';

describe('media tools (real ffmpeg/ffprobe)', () => {
  let dir: string;
  let segments: SyntheticSegment[];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'media-int-'));
    segments = await generateTestSegments({ dir, seconds: 4, width: 640, height: 360, fps: 30, segmentSeconds: 2 });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('cuts keyframe-aligned segments and probes a file and a buffer alike', async () => {
    expect(segments.map((s) => s.seq)).toEqual([0, 1]);
    const fromFile = await probeMedia(segments[1].file);
    const fromBuffer = await probeMedia(segments[1].bytes, { countPackets: true });
    expect(fromBuffer.duration).toBeCloseTo(fromFile.duration, 3);
    expect(fromBuffer.startTime).toBeCloseTo(fromFile.startTime, 3);
    expect(fromBuffer.formatName).toBe('mpegts');
    expect(fromBuffer.video).toMatchObject({ codec: 'h264', width: 640, height: 360, fps: 30 });
    expect(fromBuffer.audio).toMatchObject({ codec: 'aac', sampleRate: 48000 });
    expect(fromBuffer.video!.bitrate).toBeGreaterThan(400_000);
    expect(fromBuffer.duration).toBeGreaterThan(1.9);
  });

  it('transcodes one segment into every profile in one process, timestamps kept', async () => {
    const source = await probeMedia(segments[1].bytes);
    const profiles = [
      { name: '240p', width: 426, height: 240, bitrate: 250_000, fps: 30 },
      { name: '144p', width: 256, height: 144, bitrate: 150_000, fps: 15 },
    ];
    const outputs = await transcodeSegment(segments[1].bytes, profiles, { timeoutMs: 60_000 });
    expect(outputs).toHaveLength(2);
    for (const [i, profile] of profiles.entries()) {
      const info = await probeMedia(outputs[i], { countPackets: true });
      expect(info.video).toMatchObject({ width: profile.width, height: profile.height, codec: 'h264' });
      expect(info.video!.fps).toBeCloseTo(profile.fps, 1);
      expect(Math.abs(info.video!.bitrate! - profile.bitrate) / profile.bitrate).toBeLessThan(0.3);
      expect(Math.abs(info.startTime - source.startTime)).toBeLessThan(0.1);
      expect(Math.abs(info.duration - source.duration)).toBeLessThan(0.1);
      expect(Math.abs(info.video!.startTime! - source.video!.startTime!)).toBeLessThan(0.1);
    }
  });

  it('copy and passthrough modes give the source stream for each profile', async () => {
    const profiles = [
      { name: 'a', width: 256, height: 144, bitrate: 100_000, fps: 0 },
      { name: 'b', width: 256, height: 144, bitrate: 100_000, fps: 0 },
    ];
    const passed = await transcodeSegment(segments[0].bytes, profiles, { mode: 'passthrough' });
    expect(passed.every((b) => b === segments[0].bytes)).toBe(true);
    const copied = await transcodeSegment(segments[0].bytes, profiles, { mode: 'copy' });
    const info = await probeMedia(copied[1]);
    expect(info.video).toMatchObject({ width: 640, height: 360 });
    expect(Math.abs(info.startTime - (await probeMedia(segments[0].bytes)).startTime)).toBeLessThan(0.1);
  });

  it('reports input that is not media as an input error, with ffmpeg stderr', async () => {
    const err = await transcodeSegment(Buffer.from('not a video at all'), [
      { name: 'a', width: 256, height: 144, bitrate: 1e5, fps: 0 },
    ]).catch((e) => e);
    expect(err).toBeInstanceOf(MediaProcessError);
    expect(err.isInputError).toBe(true);
    expect(err.stderr.length).toBeGreaterThan(0);
  });

  it('kills the process on timeout and on abort', async () => {
    const started = Date.now();
    const timedOut = await runProcess('sleep', ['10'], { timeoutMs: 200 }).catch((e) => e);
    expect(timedOut).toMatchObject({ timedOut: true, isInputError: false });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const aborted = await runProcess('sleep', ['10'], { signal: controller.signal }).catch((e) => e);
    expect(aborted).toMatchObject({ aborted: true });
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
