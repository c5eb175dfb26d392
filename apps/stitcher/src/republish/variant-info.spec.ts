import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { probeVariant, raisedBandwidth, segmentBitsPerSecond, spsFingerprint, stillDescribes } from './variant-info';

describe('advertised bandwidth', () => {
  it('is the segment bit rate plus headroom, in whole kbit/s', () => {
    expect(segmentBitsPerSecond(250_000, 2000)).toBe(1_000_000);
    expect(raisedBandwidth(undefined, 250_000, 2000)).toBe(1_100_000);
  });

  it('only moves when a segment goes above it', () => {
    expect(raisedBandwidth(1_100_000, 270_000, 2000)).toBe(1_100_000);
    expect(raisedBandwidth(1_100_000, 300_000, 2000)).toBe(1_320_000);
  });
});

describe('a variant that changes mid-session', () => {
  const run = promisify(execFile);
  let dir: string;
  let made = 0;
  const segment = async (size: string): Promise<Buffer> => {
    const file = path.join(dir, `${size}-${made++}.ts`); // one file per encode: they run at once
    await run('ffmpeg', [
      ...['-nostdin', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=30:duration=0.2`],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-threads', '1', '-pix_fmt', 'yuv420p', '-f', 'mpegts', file],
    ]);
    return readFile(file);
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'variant-info-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('is noticed from the SPS, and described again with its new resolution', async () => {
    const [small, smallAgain, large] = await Promise.all([segment('320x180'), segment('320x180'), segment('640x360')]);
    const info = { ...(await probeVariant(small))!, bandwidth: 1, sps: spsFingerprint(small) };
    expect(info.resolution).toEqual({ width: 320, height: 180 });
    expect(stillDescribes(info, smallAgain)).toBe(true);
    expect(stillDescribes(info, large)).toBe(false);
    expect((await probeVariant(large))!.resolution).toEqual({ width: 640, height: 360 });
  });

  it('is not assumed when a segment or the description has no SPS to compare', async () => {
    const small = await segment('320x180');
    const info = { ...(await probeVariant(small))!, bandwidth: 1 };
    expect(stillDescribes(info, small)).toBe(true);
    expect(stillDescribes({ ...info, sps: 'ff' }, Buffer.from('no transport stream'))).toBe(true);
  });
});
