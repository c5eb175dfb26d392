import { execFileSync } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { probeMedia } from '../src/probe';
import { CutSegment, Segmenter } from '../src/segmenter';

/** The segmenter with real ffmpeg: complete segments only, exact durations, the partial last one on finish(). */
describe('Segmenter', () => {
  let dir: string;
  let source: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'segmenter-'));
    source = path.join(dir, 'source.flv');
    execFileSync('ffmpeg', [
      '-nostdin',
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=320x180:rate=30:duration=7',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:sample_rate=44100:duration=7',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-threads',
      '1',
      '-pix_fmt',
      'yuv420p',
      '-g',
      '60',
      '-keyint_min',
      '60',
      '-sc_threshold',
      '0',
      '-bf',
      '0',
      '-c:a',
      'aac',
      '-f',
      'flv',
      source,
    ]);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('cuts stdin input on keyframes at the target and reports each closed segment in order', async () => {
    const out = path.join(dir, 'out');
    execFileSync('mkdir', ['-p', out]);
    const segmenter = new Segmenter({ outputDir: out, targetSeconds: 2, inputFormat: 'flv' });
    const cut: CutSegment[] = [];
    segmenter.onSegment((s) => void cut.push(s));
    await pipeline(createReadStream(source), segmenter.input!);
    const exit = await segmenter.done;
    expect(exit).toMatchObject({ ok: true, code: 0, segments: 4 });
    expect(cut.map((s) => s.index)).toEqual([0, 1, 2, 3]);
    expect(cut.map((s) => Math.round(s.durationMs / 100) * 100)).toEqual([2000, 2000, 2000, 1000]);
    for (const s of cut) {
      const info = await probeMedia(s.file);
      expect(info.video?.codec).toBe('h264');
      expect(info.audio?.codec).toBe('aac');
      expect(Math.abs(info.duration * 1000 - s.durationMs)).toBeLessThanOrEqual(100);
      expect(s.bytes).toBeGreaterThan(0);
    }
  });

  it('finish() ends the input so the last, shorter segment is closed; input that is not media is a failed exit', async () => {
    const out = path.join(dir, 'partial');
    execFileSync('mkdir', ['-p', out]);
    const segmenter = new Segmenter({ outputDir: out, targetSeconds: 4, inputFormat: 'flv' });
    const cut: CutSegment[] = [];
    segmenter.onSegment((s) => void cut.push(s));
    await pipeline(createReadStream(source), segmenter.input!, { end: false });
    const exit = await segmenter.finish(5000);
    expect(exit.ok).toBe(true);
    expect(cut.map((s) => s.index)).toEqual([0, 1]);
    expect(Math.round(cut[1].durationMs / 100) * 100).toBe(3000);

    const garbage = new Segmenter({ outputDir: out, targetSeconds: 2, inputFormat: 'flv' });
    garbage.input!.end(Buffer.alloc(10_000, 7));
    const failed = await garbage.done;
    expect(failed.ok).toBe(false);
    expect(failed.segments).toBe(0);
    expect(failed.stderr).not.toBe('');
  });
});
