import { z } from 'zod/v4';
import { defineConfig } from '../define-config';
import { DEV_LIVEPEER_API_KEY } from './livepeer';
import { port, positiveInt } from '../schemas';

/** `http://host:8935` or `http://host:8935=us-east` (address and optional region). */
const broadcasterList = z
  .string()
  .default('')
  .transform((v, ctx) =>
    v
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean)
      .map((entry) => {
        const [address, region] = entry.split('=').map((part) => part.trim());
        if (!/^https?:\/\/[^/]+/.test(address)) {
          ctx.addIssue({ code: z.ZodIssueCode.custom, message: `"${address}" is not an http(s) URL` });
        }
        return { address: address.replace(/\/+$/, ''), region: region || undefined };
      }),
  );

export const livepeerLocalConfig = defineConfig(
  'livepeer-local',
  {
    LIVEPEER_LOCAL_PORT: { schema: port(3004), description: 'livepeer-local API port (/api, /stream).' },
    LIVEPEER_LOCAL_BROADCASTERS: {
      schema: z.coerce.number().int().min(0).max(32).default(2),
      description: 'Broadcaster processes the API process starts (ports from LIVEPEER_LOCAL_BROADCASTER_PORT up).',
    },
    LIVEPEER_LOCAL_BROADCASTER_PORT: {
      schema: port(8935),
      description: 'Port of the first broadcaster (the next ones count up); 0 gives each one a free port.',
    },
    LIVEPEER_LOCAL_BROADCASTER_URLS: {
      schema: broadcasterList,
      description:
        'Broadcasters the API lists besides the ones it starts, comma-separated `url` or `url=region` (e.g. separately run broadcasters).',
    },
    LIVEPEER_LOCAL_REGIONS: {
      schema: z
        .string()
        .default('local')
        .transform((v) =>
          v
            .split(',')
            .map((r) => r.trim())
            .filter(Boolean),
        ),
      description: 'Regions given round-robin to the broadcasters the API starts (matched against X-Livepeer-Region).',
    },
    LIVEPEER_LOCAL_HEALTH_INTERVAL_MS: {
      schema: positiveInt(1000, 60_000),
      description: 'How often the API checks each broadcaster (GET /status); a failing one leaves /api/broadcaster.',
    },
    LIVEPEER_LOCAL_API_KEYS: {
      schema: z
        .string()
        .min(1)
        .default(DEV_LIVEPEER_API_KEY)
        .transform((v) =>
          v
            .split(',')
            .map((k) => k.trim())
            .filter(Boolean),
        ),
      description: 'Comma-separated bearer keys the API accepts.',
    },
    LIVEPEER_LOCAL_BROADCASTER_REGION: {
      schema: z.string().min(1).default('local'),
      description: 'Region of a broadcaster process (shown in its /status); set per child by the API process.',
    },
    LIVEPEER_LOCAL_HOOK_URL: {
      schema: z
        .string()
        .default('http://127.0.0.1:3004/api/stream/hook')
        .refine((v) => v === 'off' || /^https?:\/\/.+/.test(v), 'must be an http(s) URL or "off"'),
      description:
        'Broadcaster auth webhook (go-livepeer -authWebhookUrl), called on a manifest\'s first push; "off" = default ladder. Set per child by the API process.',
    },
    LIVEPEER_LOCAL_TRANSCODE_MODE: {
      schema: z.enum(['ffmpeg', 'copy', 'passthrough']).default('ffmpeg'),
      description: 'ffmpeg (real transcoding), copy (remux only) or passthrough (source bytes; load tests).',
    },
    LIVEPEER_LOCAL_SESSION_TIMEOUT_MS: {
      schema: positiveInt(60_000),
      description: 'A broadcaster session expires this long after its last push (go-livepeer: 60 s).',
    },
    LIVEPEER_LOCAL_MAX_SESSIONS: {
      schema: positiveInt(10, 10_000),
      description: 'Sessions one broadcaster holds at once (go-livepeer -maxSessions); a new one beyond gets 500.',
    },
    LIVEPEER_LOCAL_BROADCASTER_RESTART_MS: {
      schema: z.coerce.number().int().min(0).max(600_000).default(0),
      description:
        'A spawned broadcaster that dies is started again on its port after this long, as a node operator would (0 = never: it drops out like a dead node).',
    },
    LIVEPEER_LOCAL_MAX_SEGMENT_BYTES: {
      schema: positiveInt(300_000_000),
      description: 'Largest segment a broadcaster accepts (go-livepeer: 300 s x 8 Mbit/s); bigger gets 500.',
    },
    LIVEPEER_LOCAL_SEGMENT_CACHE: {
      schema: positiveInt(30, 10_000),
      description: 'Segments a broadcaster keeps in memory per rendition (the playlists list the last 6).',
    },
    LIVEPEER_LOCAL_FAULTS: {
      schema: z.string().default(''),
      description: 'Faults a broadcaster starts with, e.g. `failNext=3,failStatus=503,delayMs=200,hangNext=1,resetNext=1,unhealthy=true`.',
    },
  },
  (env) => ({
    port: env.LIVEPEER_LOCAL_PORT,
    broadcasters: env.LIVEPEER_LOCAL_BROADCASTERS,
    broadcasterPort: env.LIVEPEER_LOCAL_BROADCASTER_PORT,
    broadcasterUrls: env.LIVEPEER_LOCAL_BROADCASTER_URLS,
    regions: env.LIVEPEER_LOCAL_REGIONS.length ? env.LIVEPEER_LOCAL_REGIONS : ['local'],
    healthIntervalMs: env.LIVEPEER_LOCAL_HEALTH_INTERVAL_MS,
    apiKeys: env.LIVEPEER_LOCAL_API_KEYS,
    broadcasterRegion: env.LIVEPEER_LOCAL_BROADCASTER_REGION,
    hookUrl: env.LIVEPEER_LOCAL_HOOK_URL === 'off' ? undefined : env.LIVEPEER_LOCAL_HOOK_URL,
    transcodeMode: env.LIVEPEER_LOCAL_TRANSCODE_MODE,
    sessionTimeoutMs: env.LIVEPEER_LOCAL_SESSION_TIMEOUT_MS,
    maxSessions: env.LIVEPEER_LOCAL_MAX_SESSIONS,
    maxSegmentBytes: env.LIVEPEER_LOCAL_MAX_SEGMENT_BYTES,
    broadcasterRestartMs: env.LIVEPEER_LOCAL_BROADCASTER_RESTART_MS,
    segmentCache: env.LIVEPEER_LOCAL_SEGMENT_CACHE,
    faults: env.LIVEPEER_LOCAL_FAULTS,
  }),
);
