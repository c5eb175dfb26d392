import { normalizeCodecName, refusalFor, targetDurationSeconds } from './input-rules';

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
    expect(refusalFor({ ...h264, videoCodec: 'hevc' }, rules)).toMatch(/^video codec HEVC \(H\.265\) is not supported: Livepeer transcodes H\.264/);
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

describe('targetDurationSeconds', () => {
  it('covers the longest keyframe interval accepted', () => {
    expect(targetDurationSeconds(2, 4)).toBe(4);
    expect(targetDurationSeconds(6, 4)).toBe(6);
    expect(targetDurationSeconds(2, 2)).toBe(2);
  });
});
