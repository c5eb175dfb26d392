import { SpsError, parseSps } from './sps';

const unit = (hex: string) => Buffer.from(hex, 'hex');

describe('H.264 SPS', () => {
  it('reads a High profile SPS (chroma format, cropping 1088 -> 1080, VUI timing) as x264 writes it', () => {
    expect(parseSps(unit('67640028acd940780227e5c044000003000400000300c03c60c658'))).toEqual({
      profileIdc: 100,
      constraints: 0,
      levelIdc: 40,
      width: 1920,
      height: 1080,
      frameRate: 24,
    });
  });

  it('reads a constrained baseline SPS of an odd size with emulation prevention bytes and 29.97 fps', () => {
    expect(parseSps(unit('6742c01fda0360f79bc04400000fa40003a9803c60ca80'))).toEqual({
      profileIdc: 66,
      constraints: 0xc0,
      levelIdc: 31,
      width: 854,
      height: 480,
      frameRate: 29.97,
    });
  });

  it('refuses what is not an SPS, or one cut short, with an SpsError', () => {
    expect(() => parseSps(unit('68ce3c80'))).toThrow(SpsError); // a PPS
    expect(() => parseSps(unit('6742c01fda'))).toThrow(new SpsError('SPS ends early'));
    expect(() => parseSps(Buffer.alloc(0))).toThrow(SpsError);
  });
});
