import { z } from 'zod/v4';
import { defineConfig } from '../define-config';
import { host, optionalBool } from '../schemas';

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
  },
  (env) => ({
    logLevel: env.LOG_LEVEL,
    logFormat: chosenLogFormat(env.LOG_FORMAT, env.LOG_PRETTY),
    bindHost: env.BIND_HOST,
    publicHost: env.PUBLIC_HOST,
  }),
);

/** LOG_FORMAT=json|pretty wins; under auto an explicit LOG_PRETTY decides; otherwise the terminal does (see @lib/observability). */
function chosenLogFormat(format: 'auto' | 'json' | 'pretty', pretty: boolean | undefined): 'auto' | 'json' | 'pretty' {
  if (format !== 'auto' || pretty === undefined) return format;
  return pretty ? 'pretty' : 'json';
}
