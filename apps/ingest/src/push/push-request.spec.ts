import {
  PushError,
  checkDeclaredDuration,
  checkDeclaredLength,
  checkMethod,
  parseContentDuration,
  parseContentResolution,
  parseSegmentName,
} from './push-request';

function statusOf(fn: () => unknown): number {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(PushError);
    return (err as PushError).status;
  }
  return 200;
}

describe('push request parsing', () => {
  it('accepts PUT and POST only', () => {
    expect(statusOf(() => checkMethod('PUT'))).toBe(200);
    expect(statusOf(() => checkMethod('post'))).toBe(200);
    expect(statusOf(() => checkMethod('GET'))).toBe(405);
    expect(statusOf(() => checkMethod('DELETE'))).toBe(405);
  });

  it('reads the sequence number of {seq}.ts', () => {
    expect(parseSegmentName('0.ts')).toBe(0);
    expect(parseSegmentName('123.ts')).toBe(123);
    expect(statusOf(() => parseSegmentName('12.mp4'))).toBe(400);
    expect(() => parseSegmentName('12.mp4')).toThrow('unsupported segment extension .mp4');
    for (const bad of ['abc.ts', '-1.ts', '1.ts.ts', '', '1', '1e5.ts']) expect(statusOf(() => parseSegmentName(bad))).toBe(400);
  });

  it('reads Content-Duration as integer milliseconds within 1..300000', () => {
    expect(parseContentDuration(undefined)).toBeUndefined();
    expect(parseContentDuration('2000')).toBe(2000);
    expect(parseContentDuration(' 1999 ')).toBe(1999);
    for (const bad of ['2.5', 'abc', '0', '300001', '-5', '']) expect(statusOf(() => parseContentDuration(bad))).toBe(400);
  });

  it('reads Content-Resolution as WIDTHxHEIGHT', () => {
    expect(parseContentResolution('640x360')).toBe('640x360');
    expect(parseContentResolution(undefined)).toBeUndefined();
    for (const bad of ['640*360', '0x360', 'x', '640x', 'ab']) expect(statusOf(() => parseContentResolution(bad))).toBe(400);
  });

  it('refuses a declared length over the cap before reading, and empty bodies', () => {
    expect(statusOf(() => checkDeclaredLength('1000', 1000))).toBe(200);
    expect(statusOf(() => checkDeclaredLength('1001', 1000))).toBe(413);
    expect(statusOf(() => checkDeclaredLength('0', 1000))).toBe(400);
    expect(statusOf(() => checkDeclaredLength(undefined, 1000))).toBe(200);
  });

  it('takes a declared Content-Duration only within 200 ms or 10 % of the media duration, and names both values otherwise', () => {
    expect(statusOf(() => checkDeclaredDuration(undefined, 2000))).toBe(200);
    expect(statusOf(() => checkDeclaredDuration(2200, 2000))).toBe(200);
    expect(statusOf(() => checkDeclaredDuration(1800, 2000))).toBe(200);
    expect(statusOf(() => checkDeclaredDuration(2201, 2000))).toBe(422);
    expect(statusOf(() => checkDeclaredDuration(10_900, 10_000))).toBe(200);
    expect(statusOf(() => checkDeclaredDuration(11_001, 10_000))).toBe(422);
    expect(() => checkDeclaredDuration(8000, 2000)).toThrow(
      /Content-Duration 8000 ms does not match the segment's media duration of 2000 ms/,
    );
  });
});
