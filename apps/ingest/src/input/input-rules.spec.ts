import fc from 'fast-check';
import {
  KEYFRAME_INTERVAL_TOLERANCE_SECONDS,
  fitsTargetDuration,
  longestCutSeconds,
  normalizeCodecName,
  overTargetReason,
  provisionalTargetDuration,
  refusalFor,
  sessionTargetDuration,
} from './input-rules';

const rules = { maxKeyframeIntervalSeconds: 4 };
const h264 = { videoCodec: 'h264', width: 640, height: 360, fps: 30, keyframeIntervalSec: 2, audioCodec: 'aac' };

describe('refusalFor', () => {
  it('accepts H.264 with a keyframe interval up to the maximum (a frame late is fine)', () => {
    expect(refusalFor(h264, rules)).toBeNull();
    expect(refusalFor({ ...h264, keyframeIntervalSec: 4 }, rules)).toBeNull();
    expect(refusalFor({ ...h264, keyframeIntervalSec: 4.033 }, rules)).toBeNull();
    expect(refusalFor({ ...h264, videoCodec: 'AVC' }, rules)).toBeNull();
  });

  it('refuses HEVC and other codecs, naming them', () => {
    expect(refusalFor({ ...h264, videoCodec: 'hevc' }, rules)).toMatch(
      /^video codec HEVC \(H\.265\) is not supported: Livepeer transcodes H\.264/,
    );
    expect(refusalFor({ ...h264, videoCodec: 'flv1' }, rules)).toMatch(/Sorenson H\.263/);
    expect(refusalFor({ ...h264, videoCodec: undefined }, rules)).toMatch(/no video stream/);
  });

  it('refuses a long keyframe interval with the measured and the allowed value', () => {
    expect(refusalFor({ ...h264, keyframeIntervalSec: 10 }, rules)).toBe(
      "keyframe interval 10 s exceeds the maximum of 4 s: set the encoder's keyframe interval (GOP) to 4 s or less",
    );
    expect(refusalFor({ ...h264, keyframeIntervalSec: 4.2 }, rules)).toMatch(/^keyframe interval 4.2 s exceeds/);
  });
});

describe('normalizeCodecName', () => {
  it('maps aliases to ffprobe names', () => {
    expect(normalizeCodecName('H.264')).toBe('h264');
    expect(normalizeCodecName('hvc1')).toBe('hevc');
    expect(normalizeCodecName(undefined)).toBeUndefined();
  });
});

/**
 * The segmenter's cut rule (ffmpeg's segment muxer with -segment_time): segment i ends at the
 * first keyframe at or after (i + 1) x target. Times in whole milliseconds, as FLV carries them.
 */
function cutDurations(segmentTargetSeconds: number, keyframesMs: number[]): number[] {
  const durations: number[] = [];
  let start = keyframesMs[0];
  for (const keyframe of keyframesMs) {
    if (keyframe > start && keyframe >= (durations.length + 1) * segmentTargetSeconds * 1000) {
      durations.push((keyframe - start) / 1000);
      start = keyframe;
    }
  }
  return durations;
}

describe('sessionTargetDuration', () => {
  it('is the segment target when the keyframe interval fits it', () => {
    expect(sessionTargetDuration(2, longestCutSeconds(2, 2))).toBe(2);
    expect(sessionTargetDuration(2, longestCutSeconds(2, 1))).toBe(2);
    expect(sessionTargetDuration(2, longestCutSeconds(2, 2.033))).toBe(2); // a frame late
    expect(sessionTargetDuration(2, longestCutSeconds(2, 0.999))).toBe(3); // a frame early: three per segment
    expect(sessionTargetDuration(1, longestCutSeconds(1, 1))).toBe(1);
    expect(sessionTargetDuration(1, longestCutSeconds(1, 0.5))).toBe(1);
  });

  it('is the smallest whole number of seconds holding a longer segment', () => {
    expect(sessionTargetDuration(1, longestCutSeconds(1, 2))).toBe(2);
    expect(sessionTargetDuration(2, longestCutSeconds(2, 3))).toBe(3);
    expect(sessionTargetDuration(2, longestCutSeconds(2, 4))).toBe(4);
    expect(sessionTargetDuration(2, longestCutSeconds(2, 2.5))).toBe(3);
    expect(sessionTargetDuration(2, 3.05)).toBe(3);
    expect(sessionTargetDuration(6, longestCutSeconds(6, 2.7))).toBe(8); // 3 x 2.7 s, without floating-point residue
    // Two 1.5 s keyframe intervals make each 2 s segment 3 s long.
    expect(longestCutSeconds(2, 1.5)).toBe(3);
    expect(sessionTargetDuration(2, longestCutSeconds(2, 1.5))).toBe(3);
  });

  it('is provisionally the one of the longest keyframe interval accepted', () => {
    expect(provisionalTargetDuration(2, 4)).toBe(4);
    expect(provisionalTargetDuration(2, 2)).toBe(2);
    expect(provisionalTargetDuration(6, 4)).toBe(8); // 6 s reached only at the second 4 s keyframe
  });

  it('holds every segment the segmenter cuts from a steady keyframe interval, and is the smallest such', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 200, max: 20_000 }), (target, intervalMs) => {
        const interval = intervalMs / 1000;
        const count = Math.ceil((12 * Math.max(target, interval)) / interval) + 1;
        const durations = cutDurations(
          target,
          Array.from({ length: count }, (_, i) => i * intervalMs),
        );
        const decided = sessionTargetDuration(target, longestCutSeconds(target, interval));
        expect(Number.isInteger(decided)).toBe(true);
        expect(decided).toBeGreaterThanOrEqual(target);
        for (const d of durations) {
          expect(fitsTargetDuration(d, decided)).toBe(true);
          expect(Math.round(d)).toBeLessThanOrEqual(decided); // RFC 8216: EXTINF rounds to at most the target
        }
        const longest = Math.max(...durations);
        if (decided > target) expect(fitsTargetDuration(longest, decided - 1)).toBe(false);
      }),
    );
  });
});

describe('overTargetReason', () => {
  it('lets segments up to a frame or so over the target through', () => {
    expect(overTargetReason(3, 2000, 2)).toBeNull();
    expect(overTargetReason(3, 2000 + KEYFRAME_INTERVAL_TOLERANCE_SECONDS * 1000, 2)).toBeNull();
  });

  it('names the measured and the allowed duration of a longer segment', () => {
    expect(overTargetReason(7, 4000, 2)).toBe(
      "segment 7 lasted 4 s, longer than the session's target duration of 2 s (the keyframe interval grew): " +
        'the publish ends so that the reconnect measures it afresh',
    );
  });
});
