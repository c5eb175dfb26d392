import pinoHttp from 'pino-http';
import { Writable } from 'node:stream';
import { prettyLogLine, prettyLogStream, resolveLogFormat } from './log-format';
import { loggerOptions } from './logger';

/** A pino-http logger as nestjs-pino builds it for an app, writing pretty lines into memory. */
function prettyLogger(app: string) {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const { logger } = pinoHttp(loggerOptions(app, 'info'), prettyLogStream(false, sink));
  return { logger, lines };
}

const PRETTY_LINE = /^\[\d\d:\d\d:\d\d\.\d{3}\] (INFO|WARN|ERROR) \(([a-z-]+)\): (.*)$/;

describe('pretty log lines', () => {
  it('are one readable line per entry: time, level, app, message, then the fields as JSON', () => {
    const { logger, lines } = prettyLogger('ingest');
    logger.info({ event: 'listening', listener: 'http', port: 8081 }, 'ingest http listening on port 8081');
    logger.warn({ sessionId: 's1' }, 'slow upload');
    expect(lines).toHaveLength(2);
    const [, level, app, rest] = lines[0].match(PRETTY_LINE)!;
    expect([level, app]).toEqual(['INFO', 'ingest']);
    expect(rest).toBe('ingest http listening on port 8081 {"event":"listening","listener":"http","port":8081}');
    expect(lines[1]).toMatch(PRETTY_LINE);
    expect(lines[1]).toContain('WARN (ingest): slow upload {"sessionId":"s1"}');
    // No JSON object lines, no pid or hostname noise.
    expect(lines.every((l) => !l.startsWith('{') && !l.includes('"pid"') && !l.includes('hostname'))).toBe(true);
  });

  it('still hide stream keys, API keys and tokens', () => {
    const { logger, lines } = prettyLogger('stitcher');
    logger.info(
      { streamKey: 'sk-very-secret', apiKey: 'api-very-secret', stream: { token: 'tok-very-secret', name: 'studio' } },
      'created',
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(PRETTY_LINE);
    expect(lines[0]).not.toMatch(/very-secret/);
    expect(lines[0]).toContain('"streamKey":"[redacted]"');
    expect(lines[0]).toContain('"token":"[redacted]"');
    expect(lines[0]).toContain('"name":"studio"');
  });

  it('are what the launcher echoes for a JSON line of a child; other lines pass unchanged', () => {
    const format = prettyLogLine(false);
    const json = JSON.stringify({ level: 30, time: Date.now(), pid: 7, hostname: 'h', app: 'worker', name: 'worker', msg: 'worker up' });
    expect(format(json)).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO \(worker\): worker up$/);
    // Nest's logger interface puts the text of logger.log(fields, text) into `context`.
    const nest = JSON.stringify({ level: 30, time: Date.now(), name: 'worker', context: 'worker http listening on port 1', port: 1 });
    expect(format(nest)).toMatch(/INFO \(worker\): worker http listening on port 1 \{"port":1\}$/);
    const both = JSON.stringify({
      level: 30,
      time: Date.now(),
      name: 'worker',
      context: 'RouterExplorer',
      msg: 'Mapped {/health, GET} route',
    });
    expect(format(both)).toMatch(/INFO \(worker\): \[RouterExplorer\] Mapped \{\/health, GET\} route$/);
    // A grandchild's line, prefixed by the process that echoed it, keeps its prefix.
    expect(format(`[broadcaster-0] ${json}`)).toMatch(/^\[broadcaster-0\] \[\d\d:\d\d:\d\d\.\d{3}\] INFO \(worker\): worker up$/);
    // JSON that is no log entry (the S3 server's listening line) stays as it is.
    expect(format('{"event":"listening","port":9000}')).toBe('{"event":"listening","port":9000}');
    expect(format('ffmpeg version 6.1')).toBe('ffmpeg version 6.1');
    expect(format('{not json')).toBe('{not json');
  });
});

describe('LOG_FORMAT', () => {
  it('auto is pretty on a terminal and JSON into a pipe; json and pretty are taken as they are', () => {
    expect(resolveLogFormat('auto', true)).toBe('pretty');
    expect(resolveLogFormat('auto', false)).toBe('json');
    expect(resolveLogFormat('json', true)).toBe('json');
    expect(resolveLogFormat('pretty', false)).toBe('pretty');
  });
});
