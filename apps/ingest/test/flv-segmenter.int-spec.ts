import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { FFMPEG_PATH, FFPROBE_PATH, continuityErrors, readTsPackets, testPatternArgs } from '@lib/media';
import { playWithHlsJs } from '@lib/testing';
import { FLV_TAG_VIDEO, flvFileTags, readFlvTag } from '../src/rtmp/flv';
import { FlvSegmenter, TsSegment } from '../src/rtmp/flv-segmenter';

const run = promisify(execFile);

interface ProbedSegment {
  warnings: string;
  video?: { start: number; duration: number; frames: number };
  audio?: { start: number; frames: number };
}

/** ffprobe decoding every frame (`-count_frames`) at `-v warning`: anything it prints on stderr is a warning. */
async function probe(file: string): Promise<ProbedSegment> {
  const { stdout, stderr } = await run(FFPROBE_PATH, [
    '-v',
    'warning',
    '-count_frames',
    '-show_entries',
    'stream=codec_type,start_time,duration,nb_read_frames',
    '-of',
    'json',
    file,
  ]);
  const streams = (JSON.parse(stdout) as { streams: Record<string, string>[] }).streams;
  const of = (type: string) => streams.find((s) => s.codec_type === type);
  const video = of('video');
  const audio = of('audio');
  return {
    warnings: stderr,
    video: video && { start: Number(video.start_time), duration: Number(video.duration), frames: Number(video.nb_read_frames) },
    audio: audio && { start: Number(audio.start_time), frames: Number(audio.nb_read_frames) },
  };
}

/** The segmenter with FLV that ffmpeg wrote from the test pattern, its output checked by ffprobe. */
describe('FlvSegmenter on a real FLV', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'flv-segmenter-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function segmentFlv(name: string, encoderArgs: string[], options: ConstructorParameters<typeof FlvSegmenter>[0]) {
    const source = path.join(dir, `${name}.flv`);
    await run(FFMPEG_PATH, [...encoderArgs, '-f', 'flv', source]);
    const tags = flvFileTags(await readFile(source));
    const segmenter = new FlvSegmenter(options);
    const segments = tags.map((tag) => segmenter.feed(tag)).filter((s): s is TsSegment => s !== null);
    segments.push(segmenter.finish()!);
    const files: string[] = [];
    for (const segment of segments) {
      const file = path.join(dir, `${name}-${segment.index}.ts`);
      await writeFile(file, segment.data);
      files.push(file);
    }
    const video = tags.map((tag) => readFlvTag(tag)!).filter((tag) => tag.type === FLV_TAG_VIDEO && tag.video?.packetType === 1);
    return { segments, files, video, probes: await Promise.all(files.map(probe)) };
  }

  function expectValidStream(segments: TsSegment[]): void {
    const counters = new Map<number, number>();
    for (const segment of segments) {
      const packets = readTsPackets(segment.data); // 188-byte packets, every one with its sync byte
      expect(continuityErrors(packets, counters)).toEqual([]);
    }
  }

  it('cuts H.264 + AAC into 2 s segments ffprobe reads without a warning, timed as the FLV says', async () => {
    const { segments, video, probes } = await segmentFlv('av', testPatternArgs({ seconds: 9, gopFrames: 30 }), {
      targetSeconds: 2,
      audio: 'aac',
    });
    const keyframes = video.filter((tag) => tag.video!.frameType === 1).map((tag) => tag.timestamp);
    expect(segments.map((s) => s.firstDtsMs)).toEqual([0, 2, 4, 6, 8].map((i) => keyframes[i]));
    expect(probes.map((p) => p.warnings)).toEqual(probes.map(() => ''));
    segments.forEach((segment, i) => {
      const probed = probes[i];
      expect(Math.abs(probed.video!.start * 1000 - segment.firstDtsMs)).toBeLessThanOrEqual(10);
      expect(Math.abs(probed.video!.duration * 1000 - segment.durationMs)).toBeLessThanOrEqual(10);
      expect(probed.audio!.frames).toBeGreaterThan(0);
      expect(Math.abs(probed.audio!.start * 1000 - segment.firstDtsMs)).toBeLessThanOrEqual(30); // the next AAC frame
    });
    expect(segments.slice(0, -1).map((s) => s.durationMs)).toEqual([2, 4, 6, 8].map((i, k) => keyframes[i] - keyframes[k * 2]));
    // Every video frame of the FLV decodes from exactly one segment.
    expect(probes.reduce((sum, p) => sum + p.video!.frames, 0)).toBe(video.length);
    expectValidStream(segments);
  });

  it('keeps B-frame presentation times and a stream without audio, 1.5 s GOPs making 3 s and 1.5 s segments', async () => {
    const args = testPatternArgs({ seconds: 8, gopFrames: 45 }).map((arg, i, all) => (all[i - 1] === '-bf' ? '2' : arg));
    const { segments, video, probes } = await segmentFlv('bframes', [...args.slice(0, args.indexOf('-c:a')), '-an'], { targetSeconds: 2 });
    expect(segments.map((s) => s.durationMs).slice(0, 3)).toEqual([3000, 1500, 1500].map((ms) => expect.closeTo(ms, -1.5)));
    expect(probes.map((p) => p.warnings)).toEqual(probes.map(() => ''));
    expect(probes.every((p) => p.audio === undefined)).toBe(true);
    const compositionOf = (tag: (typeof video)[number]) => (tag.data.readUIntBE(2, 3) << 8) >> 8;
    expect(video.some((tag) => compositionOf(tag) > 0)).toBe(true); // the encoder did reorder frames
    segments.forEach((segment, i) => {
      const keyframe = video.find((tag) => tag.timestamp === segment.firstDtsMs && tag.video!.frameType === 1)!;
      expect(Math.abs(probes[i].video!.start * 1000 - (keyframe.timestamp + compositionOf(keyframe)))).toBeLessThanOrEqual(10);
      expect(Math.abs(probes[i].video!.duration * 1000 - segment.durationMs)).toBeLessThanOrEqual(10);
    });
    expect(probes.reduce((sum, p) => sum + p.video!.frames, 0)).toBe(video.length);
    expectValidStream(segments);
  });

  it('plays in hls.js in Chromium from a playlist of its segments', async () => {
    const { segments, files } = await segmentFlv('play', testPatternArgs({ seconds: 9, gopFrames: 60 }), {
      targetSeconds: 2,
      audio: 'aac',
    });
    const playlist = [
      '#EXTM3U',
      '#EXT-X-VERSION:3',
      `#EXT-X-TARGETDURATION:${Math.ceil(Math.max(...segments.map((s) => s.durationMs)) / 1000)}`,
      '#EXT-X-MEDIA-SEQUENCE:0',
      ...segments.flatMap((s, i) => [`#EXTINF:${(s.durationMs / 1000).toFixed(3)},`, path.basename(files[i])]),
      '#EXT-X-ENDLIST',
      '',
    ].join('\n');
    const server = http.createServer((req, res) => {
      const name = path.basename(req.url ?? '/');
      if (name === 'index.m3u8') return void res.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl' }).end(playlist);
      if (files.some((f) => path.basename(f) === name)) {
        return void readFile(path.join(dir, name)).then((body) => res.writeHead(200, { 'content-type': 'video/mp2t' }).end(body));
      }
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>player</title>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      expect(await playWithHlsJs(`${origin}/`, `${origin}/index.m3u8`, 6, 60_000)).toBeGreaterThan(6);
    } finally {
      server.close();
    }
  });
});
