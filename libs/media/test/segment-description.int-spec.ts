import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { codecsOf, describeTransportSegment } from '../src/codec-strings';
import { FFMPEG_PATH, runProcess } from '../src/process';
import { probeMedia } from '../src/probe';

/**
 * A variant described in process (SPS, PMT, ADTS) must say what ffprobe says: the master
 * playlist's RESOLUTION, CODECS and FRAME-RATE were ffprobe's before, and players pick levels by them.
 */
describe('describing a segment in process, against ffprobe (real ffmpeg output)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'describe-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const encodings: Array<{ name: string; size: string; rate: string; video: string[]; audio: string[] }> = [
    {
      name: 'High, B-frames, 30 fps, AAC LC',
      size: '640x360',
      rate: '30',
      video: ['-preset', 'veryfast', '-profile:v', 'high', '-bf', '2'],
      audio: ['-c:a', 'aac'],
    },
    { name: 'Main, 25 fps, no audio', size: '426x240', rate: '25', video: ['-preset', 'veryfast', '-profile:v', 'main'], audio: ['-an'] },
    { name: 'Baseline, 15 fps, MP3', size: '256x144', rate: '15', video: ['-profile:v', 'baseline'], audio: ['-c:a', 'libmp3lame'] },
    // 1080 is not a whole number of macroblocks: the SPS crops 1088 to it.
    {
      name: 'High, 1080p (cropped), 24 fps',
      size: '1920x1080',
      rate: '24',
      video: ['-preset', 'veryfast', '-profile:v', 'high'],
      audio: ['-c:a', 'aac'],
    },
    { name: 'odd size 854x480, 29.97 fps', size: '854x480', rate: '30000/1001', video: [], audio: ['-c:a', 'aac'] },
  ];

  for (const encoding of encodings)
    it(`says what ffprobe says: ${encoding.name}`, async () => {
      const file = path.join(dir, `${encoding.name.replace(/[^a-z0-9]+/gi, '-')}.ts`);
      await runProcess(FFMPEG_PATH, [
        ...['-nostdin', '-hide_banner', '-loglevel', 'error', '-y'],
        ...['-f', 'lavfi', '-i', `testsrc2=size=${encoding.size}:rate=${encoding.rate}:duration=1`],
        ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100:duration=1'],
        ...['-c:v', 'libx264', '-preset', 'ultrafast', '-threads', '1', '-pix_fmt', 'yuv420p', ...encoding.video], // a later -preset wins
        ...encoding.audio,
        ...['-f', 'mpegts', file],
      ]);
      const bytes = await readFile(file);
      const probed = await probeMedia(file);
      const described = describeTransportSegment(bytes);
      expect(described).toBeDefined();
      expect({ width: described!.width, height: described!.height }).toEqual({ width: probed.video!.width, height: probed.video!.height });
      expect(described!.codecs).toBe(codecsOf(probed, bytes));
      expect(described!.frameRate).toBeCloseTo(probed.video!.fps!, 2);
      // A head of it (64 KB) says the same, or nothing when the audio's first frame is further on: never less.
      const head = describeTransportSegment(bytes.subarray(0, 64 * 1024));
      if (head) expect(head.codecs).toBe(described!.codecs);
    });

  it('says nothing of bytes it cannot describe without a full probe', () => {
    expect(describeTransportSegment(Buffer.from('<html>not a segment</html>'))).toBeUndefined();
    expect(describeTransportSegment(Buffer.alloc(0))).toBeUndefined();
  });
});
