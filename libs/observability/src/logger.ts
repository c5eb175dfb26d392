import type { Params } from 'nestjs-pino';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Options } from 'pino-http';
import { type ResolvedLogFormat, prettyLogStream } from './log-format';

/**
 * Paths pino replaces with "[redacted]" wherever they appear in a log object.
 * Stream keys, API keys and tokens must never reach logs (they are credentials).
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  '*.streamKey',
  '*.apiKey',
  '*.secretKey',
  '*.token',
  '*.adminToken',
  '*.secret',
  'streamKey',
  'secret',
  'apiKey',
  'secretKey',
  'token',
];

/** Health and metrics scrapes are frequent and uninteresting; HLS GETs too at debug level. */
function isScrape(req: IncomingMessage): boolean {
  const url = req.url ?? '';
  return url.startsWith('/health') || url.startsWith('/metrics');
}

/**
 * nestjs-pino settings of one app. `format` is the resolved LOG_FORMAT: pretty lines
 * come from the same pino instance (redaction and serializers apply first), only
 * the last step, turning the object into text, differs.
 */
export function loggerParams(app: string, level: string, format: ResolvedLogFormat): Params {
  const options = loggerOptions(app, level);
  return { pinoHttp: format === 'pretty' ? [options, prettyLogStream()] : options };
}

/** The pino(-http) options of one app, whatever the output format. */
export function loggerOptions(app: string, level: string): Options {
  return {
    level,
    name: app,
    base: { app, pid: process.pid },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    // Stream keys travel in URL paths (/live/{streamKey}/...): never log raw URLs of those routes.
    serializers: {
      req: (req: { method: string; url: string; id: unknown }) => ({
        id: req.id,
        method: req.method,
        url: redactTicketInQuery(redactKeyInPath(req.url)),
      }),
    },
    autoLogging: { ignore: isScrape },
    customLogLevel: requestLogLevel,
  };
}

/**
 * Client errors are warnings, except a playlist GET answered 404: pollers ask every copy for a
 * stream's playlists (livepeer-local's amalgamation asks each broadcaster, players ask for a
 * stream that has not started), and the copies that do not hold it answer 404 on every poll, a
 * line per poll per stream. Those are debug; the app counts them in a metric where they matter.
 */
export function requestLogLevel(req: IncomingMessage, res: ServerResponse, err?: Error): 'error' | 'warn' | 'debug' {
  if (err || res.statusCode >= 500) return 'error';
  if (res.statusCode === 404 && req.method === 'GET' && /\.m3u8$/.test((req.url ?? '').split('?')[0])) return 'debug';
  return res.statusCode >= 400 ? 'warn' : 'debug';
}

/**
 * `/live/<key>/3.ts` -> `/live/[redacted]/3.ts`: ingest's push path carries the stream key.
 * Routing matches `/LIVE/`, `//live/` and percent-encoded spellings too, so the `live`
 * segment is found however it is written, and the first non-empty segment after it goes.
 */
export function redactKeyInPath(url: string): string {
  const queryAt = url.search(/[?#]/);
  const pathPart = queryAt === -1 ? url : url.slice(0, queryAt);
  const segments = pathPart.split('/');
  const live = segments.findIndex((segment) => decodeLeniently(segment).toLowerCase() === 'live');
  if (live === -1) return url;
  const key = segments.findIndex((segment, i) => i > live && segment !== '');
  if (key === -1) return url;
  segments[key] = '[redacted]';
  return segments.join('/') + (queryAt === -1 ? '' : url.slice(queryAt));
}

/**
 * `/api/events?ticket=...` -> `/api/events?ticket=[redacted]`: the dashboard's event stream is
 * authorised by a ticket in its URL (EventSource cannot send headers); short-lived, but a credential.
 */
export function redactTicketInQuery(url: string): string {
  return url.replace(/([?&]ticket=)[^&#]*/gi, '$1[redacted]');
}

function decodeLeniently(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
