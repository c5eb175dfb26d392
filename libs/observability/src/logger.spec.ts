import { redactKeyInPath, redactTicketInQuery } from './logger';

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

describe('redactTicketInQuery', () => {
  it("redacts the event stream's ticket wherever it is in the query", () => {
    expect(redactTicketInQuery('/api/events?ticket=1.abc.def')).toBe('/api/events?ticket=[redacted]');
    expect(redactTicketInQuery('/api/events?x=1&TICKET=secret&y=2')).toBe('/api/events?x=1&TICKET=[redacted]&y=2');
    expect(redactTicketInQuery('/api/streams?name=ticket')).toBe('/api/streams?name=ticket');
  });
});
