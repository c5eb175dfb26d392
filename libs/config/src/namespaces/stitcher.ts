import { z } from 'zod';
import { defineConfig } from '../define-config';
import { port, positiveInt } from '../schemas';

export const stitcherConfig = defineConfig(
  'stitcher',
  {
    STITCHER_HTTP_PORT: {
      schema: port(8080),
      description: 'Stitcher HTTP port: HLS, admin API (/api), OpenAPI (/docs), dashboard (/).',
    },
    ADMIN_TOKEN: {
      schema: z.string().min(8, 'must be at least 8 characters').default('relay-admin-dev-token'),
      description: 'Bearer token of the admin API and dashboard (change it in production).',
    },
    PLAYLIST_WINDOW_SEGMENTS: {
      schema: positiveInt(10, 1000).refine((v) => v >= 3, 'must be >= 3'),
      description: 'Segments listed in each republished media playlist.',
    },
    POLL_INTERVAL_MS: {
      schema: positiveInt(500, 60_000),
      description: 'How often each upstream rendition playlist is polled (about 1/4 target duration).',
    },
    RETENTION_HOURS: {
      schema: positiveInt(24),
      description: 'Source and republished objects of ended sessions are deleted after this.',
    },
    LEDGER_RETENTION_DAYS: { schema: positiveInt(30), description: 'Segment ledger rows are pruned after this.' },
  },
  (env) => ({
    httpPort: env.STITCHER_HTTP_PORT,
    adminToken: env.ADMIN_TOKEN,
    playlistWindowSegments: env.PLAYLIST_WINDOW_SEGMENTS,
    pollIntervalMs: env.POLL_INTERVAL_MS,
    retentionHours: env.RETENTION_HOURS,
    ledgerRetentionDays: env.LEDGER_RETENTION_DAYS,
  }),
);
