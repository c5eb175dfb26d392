import { parseDuration, parsePushPath } from './broadcaster-push-request';

describe('push request parsing', () => {
  it('reads manifest and sequence number from /live/{manifestID}/{seq}.ts', () => {
    expect(parsePushPath('/live/abc/12.ts')).toEqual({ manifestId: 'abc', seq: 12 });
    expect(parsePushPath('/live/a%20b/3.ts')).toEqual({ manifestId: 'a b', seq: 3 });
    expect(parsePushPath('/live/abc/media_x.ts')).toEqual({ manifestId: 'abc', seq: 0 }); // non-numeric -> 0
    for (const bad of ['/live', '/live/abc', '/live/abc/1.mp4', '/live/a/b/1.ts', '/other/abc/1.ts', '/live/%E0%A4/1.ts']) {
      expect(parsePushPath(bad)).toBeUndefined();
    }
  });

  it('takes Content-Duration as integer ms, 2000 when missing or unparseable', () => {
    expect(parseDuration('1875')).toBe(1875);
    expect(parseDuration(undefined)).toBe(2000);
    expect(parseDuration('')).toBe(2000);
    expect(parseDuration('2.5')).toBe(2000);
    expect(parseDuration('-5')).toBe(-5); // then refused as out of range
  });
});
