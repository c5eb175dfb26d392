import { z } from 'zod/v4';
import { defineConfig } from '../define-config';
import { positiveInt } from '../schemas';

/**
 * Admission control (apps/ingest/README.md, "Admission"): how many publishes the deployment
 * takes at once. The broadcasters' own limits are learnt from them; these settings cap and
 * fill in what they do not say.
 */
export const admissionConfig = defineConfig(
  'admission',
  {
    MAX_LIVE_SESSIONS: {
      schema: z.coerce.number().int('must be an integer').min(0, 'must be >= 0').max(100_000).default(0),
      description: 'Publishes live at once across the deployment (every ingest copy); 0 = no cap but the capacity of the broadcasters.',
    },
    ADMISSION_BROADCASTER_MAX_SESSIONS: {
      schema: positiveInt(10, 100_000),
      description:
        'Sessions one broadcaster is assumed to hold when it does not say (its /status maxSessions, or a "Too many sessions (max N)" answer); go-livepeer -maxSessions default.',
    },
    ADMISSION_MAX_UPLOAD_BACKLOG: {
      schema: z.coerce.number().int('must be an integer').min(0, 'must be >= 0').max(1_000_000).default(200),
      description: 'New publishes are refused while more upload jobs than this wait for a worker; 0 = no check.',
    },
    ADMISSION_RETRY_AFTER_SECONDS: {
      schema: positiveInt(10, 3600),
      description: 'Retry-After sent to a push refused for capacity (and named in the RTMP refusal).',
    },
    ADMISSION_FULL_MEMORY_MS: {
      schema: positiveInt(30_000, 3_600_000),
      description: 'A broadcaster that answered "Too many sessions" or 503 counts as full for this long after the answer.',
    },
  },
  (env) => ({
    maxLiveSessions: env.MAX_LIVE_SESSIONS,
    broadcasterMaxSessions: env.ADMISSION_BROADCASTER_MAX_SESSIONS,
    maxUploadBacklog: env.ADMISSION_MAX_UPLOAD_BACKLOG,
    retryAfterSeconds: env.ADMISSION_RETRY_AFTER_SECONDS,
    fullMemoryMs: env.ADMISSION_FULL_MEMORY_MS,
  }),
);
