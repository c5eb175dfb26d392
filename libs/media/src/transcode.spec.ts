import { buildTranscodeArgs, renditionArgs, scaleFilter, scaledSize } from './transcode';

describe('transcoder arguments', () => {
  const profile = { name: '240p', width: 426, height: 240, bitrate: 250_000, fps: 30 };

  it('keeps the aspect ratio inside the box and never upscales', () => {
    expect(scaledSize({ width: 640, height: 360 }, { width: 426, height: 240 })).toEqual({ width: 426, height: 240 });
    expect(scaledSize({ width: 640, height: 480 }, { width: 426, height: 240 })).toEqual({ width: 320, height: 240 });
    expect(scaledSize({ width: 320, height: 180 }, { width: 1280, height: 720 })).toEqual({ width: 320, height: 180 });
    expect(scaledSize({ width: 1920, height: 1080 }, { width: 256, height: 144 })).toEqual({ width: 256, height: 144 });
    expect(scaleFilter(426, 240)).toContain('min(1\\,min(426/iw\\,240/ih))');
  });

  it('encodes with the CPU-budget x264 settings, the bitrate and the frame rate', () => {
    const args = renditionArgs({ ...profile, profile: 'H264Baseline', gop: '2.0' }, 'pipe:3');
    expect(args.join(' ')).toContain('-c:v libx264 -preset veryfast -tune zerolatency -threads 1');
    expect(args).toEqual(expect.arrayContaining(['-b:v', '250000', '-bufsize', '125000', '-profile:v', 'baseline', '-c:a', 'aac']));
    expect(args[args.indexOf('-vf') + 1]).toMatch(/^scale=.*,fps=30$/);
    expect(args.slice(-1)).toEqual(['pipe:3']);
    const filterOf = (args: string[]) => args[args.indexOf('-vf') + 1];
    expect(filterOf(renditionArgs({ ...profile, fps: 0 }, 'x'))).not.toContain('fps=');
    expect(filterOf(renditionArgs({ ...profile, fps: 30000, fpsDen: 1001 }, 'x'))).toMatch(/,fps=30000\/1001$/);
    expect(renditionArgs({ ...profile, gop: 'intra' }, 'x')).toEqual(expect.arrayContaining(['-g', '1']));
  });

  it('decodes once and writes each profile to its own pipe, keeping timestamps', () => {
    const args = buildTranscodeArgs([profile, { ...profile, name: 'b' }]);
    expect(args.filter((a) => a === '-i')).toHaveLength(1);
    expect(args).toContain('-copyts');
    expect(args).toEqual(expect.arrayContaining(['pipe:3', 'pipe:4']));
  });
});
