import { redactKeyInPath } from './logger';

describe('redactKeyInPath', () => {
  it('redacts the stream key in every spelling of the push path', () => {
    expect(redactKeyInPath('/live/secret/3.ts')).toBe('/live/[redacted]/3.ts');
    expect(redactKeyInPath('/LIVE/secret/3.ts')).toBe('/LIVE/[redacted]/3.ts');
    expect(redactKeyInPath('/Live/secret/3.ts')).toBe('/Live/[redacted]/3.ts');
    expect(redactKeyInPath('//live/secret/3.ts')).toBe('//live/[redacted]/3.ts');
    expect(redactKeyInPath('/live//secret/3.ts')).toBe('/live//[redacted]/3.ts');
    expect(redactKeyInPath('/%6Cive/secret/3.ts?x=1')).toBe('/%6Cive/[redacted]/3.ts?x=1');
    expect(redactKeyInPath('/./live/secret')).toBe('/./live/[redacted]');
  });

  it('leaves other paths alone', () => {
    expect(redactKeyInPath('/health/live')).toBe('/health/live');
    expect(redactKeyInPath('/hls/abc/index.m3u8')).toBe('/hls/abc/index.m3u8');
    expect(redactKeyInPath('/metrics?live=1')).toBe('/metrics?live=1');
  });
});
