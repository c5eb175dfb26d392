import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { FFMPEG_PATH, runProcess } from './process';

export interface SyntheticSegmentsOptions {
  /** folder the segments are written to (must exist) */
  dir: string;
  seconds?: number;
  width?: number;
  height?: number;
  fps?: number;
  /** keyframe interval = segment length, so every segment starts with a keyframe */
  segmentSeconds?: number;
  videoBitrate?: number;
  timeoutMs?: number;
}

export interface SyntheticSegment {
  seq: number;
  file: string;
  bytes: Buffer;
}

/**
 * A test source cut into keyframe-aligned MPEG-TS segments: testsrc2 video and a sine tone,
 * encoded once with the cheap settings the CPU budget allows. For tests and benchmarks.
 */
export async function generateTestSegments(options: SyntheticSegmentsOptions): Promise<SyntheticSegment[]> {
  const { dir, seconds = 4, width = 640, height = 360, fps = 30, segmentSeconds = 2, videoBitrate = 800_000 } = options;
  const gop = Math.round(fps * segmentSeconds);
  await runProcess(
    FFMPEG_PATH,
    [
      '-nostdin',
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      `testsrc2=size=${width}x${height}:rate=${fps}`,
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:sample_rate=48000',
      '-t',
      String(seconds),
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-threads',
      '1',
      '-pix_fmt',
      'yuv420p',
      '-g',
      String(gop),
      '-keyint_min',
      String(gop),
      '-sc_threshold',
      '0',
      '-b:v',
      String(videoBitrate),
      '-c:a',
      'aac',
      '-b:a',
      '64000',
      '-f',
      'segment',
      '-segment_time',
      String(segmentSeconds),
      '-segment_format',
      'mpegts',
      path.join(dir, 'seg%d.ts'),
    ],
    { timeoutMs: options.timeoutMs ?? 60_000 },
  );
  const files = (await readdir(dir)).filter((f) => /^seg\d+\.ts$/.test(f));
  const segments = await Promise.all(
    files.map(async (f) => ({ seq: Number(/\d+/.exec(f)![0]), file: path.join(dir, f), bytes: await readFile(path.join(dir, f)) })),
  );
  return segments.sort((a, b) => a.seq - b.seq);
}

/**
 * ffmpeg arguments of a small synthetic H.264 + AAC test pattern (320x180, 30 fps, fixed GOP, no
 * B-frames, one thread), up to the output format: the caller adds `-f <format> <output>`. Used by
 * the tests' encoders so every synthetic publish is the same media but for its length and GOP.
 */
export function testPatternArgs(options: {
  seconds: number;
  gopFrames: number;
  /** Picture size (default 320x180). */
  size?: { width: number; height: number };
  /** x264 preset (default ultrafast). */
  preset?: string;
  /** A video bitrate such as `800k` (default: the preset's own rate control). */
  videoBitrate?: string;
}): string[] {
  const { seconds, gopFrames, size = { width: 320, height: 180 }, preset = 'ultrafast', videoBitrate } = options;
  return [
    '-nostdin',
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${size.width}x${size.height}:rate=30:duration=${seconds}`,
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=440:sample_rate=44100:duration=${seconds}`,
    '-c:v',
    'libx264',
    '-preset',
    preset,
    '-threads',
    '1',
    '-pix_fmt',
    'yuv420p',
    ...(videoBitrate ? ['-b:v', videoBitrate] : []),
    '-g',
    String(gopFrames),
    '-keyint_min',
    String(gopFrames),
    '-sc_threshold',
    '0',
    '-bf',
    '0',
    '-c:a',
    'aac',
    '-b:a',
    '64k',
  ];
}
