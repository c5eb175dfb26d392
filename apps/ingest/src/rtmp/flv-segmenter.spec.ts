import fc from 'fast-check';
import { PID_AUDIO, PID_VIDEO, continuityErrors, pesPackets, readTimestamp, readTsPackets } from '@lib/media';
import { FLV_TAG_AUDIO, FLV_TAG_SCRIPT, FLV_TAG_VIDEO, buildFlvTag } from './flv';
import { FlvSegmenter, TsSegment } from './flv-segmenter';

const SPS = Buffer.from([0x67, 0x42, 0xc0, 0x1e, 0xda]);
const PPS = Buffer.from([0x68, 0xce, 0x3c, 0x80]);
const AVC_RECORD = Buffer.concat([
  Buffer.from([1, 0x42, 0xc0, 0x1e, 0xff, 0xe1, 0, SPS.length]),
  SPS,
  Buffer.from([1, 0, PPS.length]),
  PPS,
]);

function videoTag(timestamp: number, body: { keyframe?: boolean; sequenceHeader?: boolean; compositionMs?: number }): Buffer {
  const header = Buffer.alloc(5);
  header[0] = ((body.keyframe || body.sequenceHeader ? 1 : 2) << 4) | 7;
  header[1] = body.sequenceHeader ? 0 : 1;
  header.writeIntBE(body.compositionMs ?? 0, 2, 3);
  const nal = body.keyframe ? Buffer.from([0x65, 0x88, 0x80]) : Buffer.from([0x41, 0x9a, 0x00]);
  const payload = body.sequenceHeader ? AVC_RECORD : Buffer.concat([Buffer.from([0, 0, 0, nal.length]), nal]);
  return buildFlvTag(FLV_TAG_VIDEO, timestamp, Buffer.concat([header, payload]));
}

function aacTag(timestamp: number, config = false): Buffer {
  const body = config ? Buffer.from([0xaf, 0, 0x12, 0x10]) : Buffer.concat([Buffer.from([0xaf, 1]), Buffer.alloc(20, 0x21)]);
  return buildFlvTag(FLV_TAG_AUDIO, timestamp, body);
}

/** A steady stream: sequence headers, then frames every `frameMs` with a keyframe every `gopMs`, AAC frames between. */
function stream(options: { frames: number; frameMs: number; gopFrames: number; audio?: boolean; startMs?: number }): Buffer[] {
  const start = options.startMs ?? 0;
  const tags = [videoTag(start, { sequenceHeader: true })];
  if (options.audio) tags.push(aacTag(start, true));
  for (let i = 0; i < options.frames; i++) {
    const at = start + i * options.frameMs;
    tags.push(videoTag(at, { keyframe: i % options.gopFrames === 0 }));
    if (options.audio) tags.push(aacTag(at + 1));
  }
  return tags;
}

function cutAll(segmenter: FlvSegmenter, tags: Buffer[]): TsSegment[] {
  const segments = tags.map((tag) => segmenter.feed(tag)).filter((s): s is TsSegment => s !== null);
  const last = segmenter.finish();
  return last ? [...segments, last] : segments;
}

/** The cut rule the target durations rest on (input-rules.spec.ts): first keyframe at or after each multiple of the target. */
function expectedCuts(targetMs: number, keyframesMs: number[]): number[] {
  const cuts = [keyframesMs[0]];
  for (const keyframe of keyframesMs)
    if (keyframe > cuts.at(-1)! && keyframe - keyframesMs[0] >= cuts.length * targetMs) cuts.push(keyframe);
  return cuts;
}

describe('FlvSegmenter', () => {
  it('cuts at the first keyframe at or after each multiple of the target, closing a segment on the next keyframe', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 5, max: 90 }),
        fc.integer({ min: 20, max: 50 }),
        (target, gopFrames, frameMs) => {
          const frames = Math.ceil((target * 4000) / frameMs) + gopFrames;
          const segments = cutAll(new FlvSegmenter({ targetSeconds: target }), stream({ frames, frameMs, gopFrames }));
          const keyframes = Array.from({ length: Math.ceil(frames / gopFrames) }, (_, i) => i * gopFrames * frameMs);
          const cuts = expectedCuts(target * 1000, keyframes);
          expect(segments.map((s) => s.firstDtsMs)).toEqual(cuts);
          expect(segments.map((s) => s.index)).toEqual(cuts.map((_, i) => i));
          const end = (frames - 1) * frameMs + frameMs;
          expect(segments.map((s) => s.durationMs)).toEqual(cuts.map((cut, i) => (cuts[i + 1] ?? end) - cut));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('returns a segment from the keyframe that ends it, not later', () => {
    const segmenter = new FlvSegmenter({ targetSeconds: 1 });
    const tags = stream({ frames: 31, frameMs: 34, gopFrames: 30 });
    expect(
      tags
        .slice(0, -1)
        .map((t) => segmenter.feed(t))
        .every((s) => s === null),
    ).toBe(true);
    expect(segmenter.feed(tags.at(-1)!)).toMatchObject({ index: 0, firstDtsMs: 0, durationMs: 1020 });
  });

  it('writes PAT/PMT first, a keyframe with SPS/PPS, PTS = FLV time + composition time, and counters that run on', () => {
    const segmenter = new FlvSegmenter({ targetSeconds: 1, audio: 'aac' });
    const tags = [
      aacTag(0, true),
      aacTag(5), // before the first keyframe: not carried
      videoTag(10, { sequenceHeader: true }),
      videoTag(20, { compositionMs: 0 }), // inter frame before any keyframe: not carried
      videoTag(40, { keyframe: true, compositionMs: 66 }),
      aacTag(41),
      videoTag(73, { compositionMs: 33 }),
      buildFlvTag(FLV_TAG_SCRIPT, 80, Buffer.from([2, 0, 0])),
      videoTag(1040, { keyframe: true, compositionMs: 66 }),
    ];
    const segments = cutAll(segmenter, tags);
    expect(segments.map((s) => [s.index, s.firstDtsMs, s.startSeconds, s.durationMs])).toEqual([
      [0, 40, 0.04, 1000],
      [1, 1040, 1.04, 33],
    ]);
    const counters = new Map<number, number>();
    const [first, second] = segments.map((s) => readTsPackets(s.data));
    expect(first.slice(0, 2).map((p) => p.pid)).toEqual([0, 0x1000]);
    const video = pesPackets(first, PID_VIDEO);
    expect(video.map((pes) => [readTimestamp(pes, 9), readTimestamp(pes, 14)])).toEqual([
      [106 * 90, 40 * 90],
      [106 * 90, 73 * 90],
    ]);
    expect(video[0].includes(Buffer.concat([Buffer.from([0, 0, 0, 1]), SPS]))).toBe(true);
    expect(pesPackets(first, PID_AUDIO).map((pes) => readTimestamp(pes, 9))).toEqual([41 * 90]);
    expect(continuityErrors(first, counters)).toEqual([]);
    expect(continuityErrors(second, counters)).toEqual([]);
  });

  it('hands out the open segment in pieces that add up to the segment', () => {
    const whole = cutAll(
      new FlvSegmenter({ targetSeconds: 1, audio: 'aac' }),
      stream({ frames: 70, frameMs: 33, gopFrames: 30, audio: true }),
    );
    const segmenter = new FlvSegmenter({ targetSeconds: 1, audio: 'aac' });
    const pieces = new Map<number, Buffer[]>();
    const take = (index: number, data: Buffer) => pieces.set(index, [...(pieces.get(index) ?? []), data]);
    for (const [i, tag] of stream({ frames: 70, frameMs: 33, gopFrames: 30, audio: true }).entries()) {
      const closed = segmenter.feed(tag);
      if (closed) take(closed.index, closed.data);
      if (i % 7 === 0 && segmenter.pendingBytes > 0) {
        const drained = segmenter.drain()!;
        expect([segmenter.pendingBytes, segmenter.pendingMs]).toEqual([0, 0]);
        take(drained.index, drained.data);
      }
    }
    const last = segmenter.finish()!;
    take(last.index, last.data);
    expect(segmenter.drain()).toBeNull();
    expect(whole.map((s) => Buffer.concat(pieces.get(s.index)!).equals(s.data))).toEqual(whole.map(() => true));
  });

  it('leaves audio out of a publish accepted without it, and has nothing to close before a keyframe', () => {
    const segments = cutAll(new FlvSegmenter({ targetSeconds: 1 }), stream({ frames: 40, frameMs: 33, gopFrames: 30, audio: true }));
    expect(segments.every((s) => readTsPackets(s.data).every((p) => p.pid !== PID_AUDIO))).toBe(true);
    expect(new FlvSegmenter({ targetSeconds: 1 }).finish()).toBeNull();
  });

  it('refuses media it cannot carry with a clear error', () => {
    const segmenter = new FlvSegmenter({ targetSeconds: 1, audio: 'aac' });
    segmenter.feed(videoTag(0, { sequenceHeader: true }));
    expect(() => segmenter.feed(buildFlvTag(FLV_TAG_AUDIO, 0, Buffer.from([0x2f, 0xff, 0xfb])))).toThrow(
      /sound format 2 arrived in an AAC publish/,
    );
    const broken = Buffer.concat([Buffer.from([0x17, 1, 0, 0, 0]), Buffer.from([0, 0, 1, 0, 0x65])]);
    expect(() => segmenter.feed(buildFlvTag(FLV_TAG_VIDEO, 0, broken))).toThrow(/runs past the end/);
  });
});
