import { z } from 'zod/v4';
import { defineConfig } from '../define-config';
import { host, optionalBool, positiveInt } from '../schemas';

export const commonConfig = defineConfig(
  'common',
  {
    LOG_LEVEL: {
      schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
      description: 'Log level of every app (lines on stdout, in the format LOG_FORMAT chooses).',
    },
    LOG_FORMAT: {
      schema: z.enum(['auto', 'json', 'pretty']).default('auto'),
      description:
        'json: one JSON object a line; pretty: human-readable one-liners; auto: pretty on a terminal, JSON otherwise (npm start decides for the apps it runs).',
    },
    LOG_PRETTY: {
      schema: optionalBool(),
      description: 'Shorthand kept for older set-ups: true = LOG_FORMAT=pretty, false = json (LOG_FORMAT wins unless auto).',
    },
    BIND_HOST: {
      schema: host('127.0.0.1'),
      description: 'Address every HTTP/RTMP listener binds to (0.0.0.0 in containers).',
    },
    PUBLIC_HOST: {
      schema: host('127.0.0.1'),
      description: 'Host name put into the URLs shown to users (publish, playback, dashboard).',
    },
    AUTH_FAILURE_LIMIT: {
      schema: positiveInt(5, 10_000),
      description:
        'Wrong admin tokens or stream keys one client address may present per AUTH_FAILURE_WINDOW_MS; further attempts are refused (429) until the window passes.',
    },
    AUTH_FAILURE_WINDOW_MS: {
      schema: positiveInt(60_000, 86_400_000).refine((v) => v >= 1000, 'must be >= 1000'),
      description: 'The window AUTH_FAILURE_LIMIT counts failures in (sliding).',
    },
  },
  (env) => ({
    logLevel: env.LOG_LEVEL,
    logFormat: chosenLogFormat(env.LOG_FORMAT, env.LOG_PRETTY),
    bindHost: env.BIND_HOST,
    publicHost: env.PUBLIC_HOST,
    authFailureLimit: env.AUTH_FAILURE_LIMIT,
    authFailureWindowMs: env.AUTH_FAILURE_WINDOW_MS,
  }),
);

/** LOG_FORMAT=json|pretty wins; under auto an explicit LOG_PRETTY decides; otherwise the terminal does (see @lib/observability). */
function chosenLogFormat(format: 'auto' | 'json' | 'pretty', pretty: boolean | undefined): 'auto' | 'json' | 'pretty' {
  if (format !== 'auto' || pretty === undefined) return format;
  return pretty ? 'pretty' : 'json';
}
