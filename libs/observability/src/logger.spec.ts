import type { IncomingMessage, ServerResponse } from 'node:http';
import { redactKeyInPath, redactTicketInQuery, requestLogLevel } from './logger';

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

describe('requestLogLevel', () => {
  const level = (method: string, url: string, statusCode: number, err?: Error) =>
    requestLogLevel({ method, url } as IncomingMessage, { statusCode } as ServerResponse, err);

  it('logs a playlist GET answered 404 at debug: pollers ask copies that do not hold the stream', () => {
    expect(level('GET', '/stream/abc/P240p30fps16x9.m3u8', 404)).toBe('debug');
    expect(level('GET', '/stream/abc.m3u8?x=1', 404)).toBe('debug');
  });

  it('keeps other client errors as warnings and server errors as errors', () => {
    expect(level('GET', '/stream/abc/P240p30fps16x9/3.ts', 404)).toBe('warn');
    expect(level('PUT', '/live/x/1.ts', 404)).toBe('warn');
    expect(level('GET', '/stream/abc.m3u8', 403)).toBe('warn');
    expect(level('GET', '/stream/abc.m3u8', 500)).toBe('error');
    expect(level('GET', '/stream/abc.m3u8', 200, new Error('x'))).toBe('error');
    expect(level('GET', '/stream/abc.m3u8', 200)).toBe('debug');
  });
});

describe('redactTicketInQuery', () => {
  it("redacts the event stream's ticket wherever it is in the query", () => {
    expect(redactTicketInQuery('/api/events?ticket=1.abc.def')).toBe('/api/events?ticket=[redacted]');
    expect(redactTicketInQuery('/api/events?x=1&TICKET=secret&y=2')).toBe('/api/events?x=1&TICKET=[redacted]&y=2');
    expect(redactTicketInQuery('/api/streams?name=ticket')).toBe('/api/streams?name=ticket');
  });
});
