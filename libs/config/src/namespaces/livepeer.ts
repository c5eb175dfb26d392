import { z } from 'zod/v4';
import { defineConfig } from '../define-config';
import { httpUrl, optionalHttpUrl } from '../schemas';

/** The development key livepeer-local accepts out of the box (see its LIVEPEER_LOCAL_API_KEYS). */
export const DEV_LIVEPEER_API_KEY = 'livepeer-local-dev-key';

export const livepeerConfig = defineConfig(
  'livepeer',
  {
    LIVEPEER_API_URL: {
      schema: httpUrl('http://127.0.0.1:3004/api'),
      description: 'Livepeer API base; every API call is relative to it (like LivepeerWowza api-server-url).',
    },
    LIVEPEER_API_KEY: {
      schema: z.string().min(1).default(DEV_LIVEPEER_API_KEY),
      description: 'Bearer key for the Livepeer API (default: the livepeer-local development key).',
    },
    LIVEPEER_PLAYBACK_URL: {
      schema: optionalHttpUrl(),
      description: 'Where the amalgamated /stream/... playlists are read (default: the API URL without /api).',
    },
    LIVEPEER_BROADCASTER_URL: {
      schema: optionalHttpUrl(),
      description: 'Pin one broadcaster and skip discovery (like LivepeerWowza broadcaster-url).',
    },
    LIVEPEER_REGION: {
      schema: z.string().min(1).optional(),
      description: 'Region hint sent as X-Livepeer-Region to GET /api/broadcaster.',
    },
    LADDER_CHECK: {
      schema: z.enum(['warn', 'strict', 'off']).default('warn'),
      description:
        "Check a ladder with the Livepeer API when a stream is created or its ladder changed (a Livepeer stream is created with it and deleted): a 422 refuses it with the API's reason. API unreachable: warn = accept and say so, strict = refuse; off = no check.",
    },
  },
  (env) => ({
    apiUrl: env.LIVEPEER_API_URL,
    apiKey: env.LIVEPEER_API_KEY,
    playbackUrl: env.LIVEPEER_PLAYBACK_URL ?? env.LIVEPEER_API_URL.replace(/\/api$/, ''),
    broadcasterUrl: env.LIVEPEER_BROADCASTER_URL,
    region: env.LIVEPEER_REGION,
    ladderCheck: env.LADDER_CHECK,
  }),
);
