import { z } from 'zod';
import { defineConfig } from '../define-config';
import { DEV_LIVEPEER_API_KEY } from './livepeer';
import { port, positiveInt } from '../schemas';

export const livepeerLocalConfig = defineConfig(
  'livepeer-local',
  {
    LIVEPEER_LOCAL_PORT: { schema: port(3004), description: 'livepeer-local API port (/api, /stream).' },
    LIVEPEER_LOCAL_BROADCASTERS: {
      schema: z.coerce.number().int().min(0).max(32).default(2),
      description: 'Broadcaster processes livepeer-local starts (ports from LIVEPEER_LOCAL_BROADCASTER_PORT up).',
    },
    LIVEPEER_LOCAL_BROADCASTER_PORT: {
      schema: port(8935),
      description: 'Port of the first broadcaster; 0 gives each one a free port.',
    },
    LIVEPEER_LOCAL_API_KEYS: {
      schema: z
        .string()
        .min(1)
        .default(DEV_LIVEPEER_API_KEY)
        .transform((v) => v.split(',').map((k) => k.trim()).filter(Boolean)),
      description: 'Comma-separated bearer keys the API accepts.',
    },
    LIVEPEER_LOCAL_TRANSCODE_MODE: {
      schema: z.enum(['ffmpeg', 'copy', 'passthrough']).default('ffmpeg'),
      description: 'ffmpeg (real transcoding), copy (remux only) or passthrough (source bytes; load tests).',
    },
    LIVEPEER_LOCAL_SESSION_TIMEOUT_MS: {
      schema: positiveInt(60_000),
      description: 'A broadcaster session expires this long after its last push (go-livepeer: 60 s).',
    },
  },
  (env) => ({
    port: env.LIVEPEER_LOCAL_PORT,
    broadcasters: env.LIVEPEER_LOCAL_BROADCASTERS,
    broadcasterPort: env.LIVEPEER_LOCAL_BROADCASTER_PORT,
    apiKeys: env.LIVEPEER_LOCAL_API_KEYS,
    transcodeMode: env.LIVEPEER_LOCAL_TRANSCODE_MODE,
    sessionTimeoutMs: env.LIVEPEER_LOCAL_SESSION_TIMEOUT_MS,
  }),
);
