import { z } from 'zod/v4';
import { defineConfig } from '../define-config';
import { bool, hostList, port, positiveInt, positiveNumber } from '../schemas';

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
      description:
        'Upper bound of the upstream playlist poll interval (at most target duration / 4); polled only for segments uploaded without renditions.',
    },
    RETENTION_HOURS: {
      schema: positiveNumber(24),
      description: 'Source and republished objects of ended sessions are deleted after this.',
    },
    LEDGER_RETENTION_DAYS: { schema: positiveNumber(30), description: 'Segment ledger rows are pruned after this.' },
    STITCHER_LEASE_TTL_MS: {
      schema: positiveInt(5000, 600_000).refine((v) => v >= 1000, 'must be >= 1000'),
      description: "Lifetime of a stitcher lease on a stream; a dead copy's streams are taken over after about this.",
    },
    STITCHER_SCAN_INTERVAL_MS: {
      schema: positiveInt(1000, 60_000),
      description: 'How often live sessions are re-read from the database and free leases are tried.',
    },
    STITCHER_DEADLINE_FACTOR: {
      schema: positiveNumber(6, 60),
      description: 'A segment not in every upstream playlist this x its duration after ingest is skipped (not-in-playlist / fetch-failed).',
    },
    STITCHER_END_GRACE_MS: {
      schema: z.coerce.number().int().min(0).max(600_000).default(10_000),
      description: 'After a session ends, wait this long for a reconnect (discontinuity) before writing #EXT-X-ENDLIST.',
    },
    STITCHER_SHUTDOWN_GRACE_MS: {
      schema: z.coerce.number().int().min(0).max(60_000).default(7000),
      description:
        'On SIGTERM, how long the stitcher may take to list the last segments of ended sessions and close their playlists with #EXT-X-ENDLIST (0 = leave them to the next start).',
    },
    STITCHER_VERIFY_INTERVAL_MS: {
      schema: z.coerce.number().int().min(0).max(3_600_000).default(10_000),
      description:
        'How often a stream writer reads its playlists back from the bucket and rewrites one that differs (overwritten or deleted); 0 = never.',
    },
    STITCHER_ALLOWED_SEGMENT_HOSTS: {
      schema: hostList(),
      description: 'Extra host[:port] list segments may be fetched from, besides the broadcasters GET /api/broadcaster returns.',
    },
    STITCHER_FETCH_TIMEOUT_MS: {
      schema: positiveInt(5000, 120_000),
      description: 'Time limit of one upstream playlist or segment download.',
    },
    STITCHER_MAX_PLAYLIST_BYTES: {
      schema: positiveInt(512 * 1024),
      description: 'Largest upstream playlist read; a longer answer is abandoned as malformed.',
    },
    STITCHER_MAX_SEGMENT_BYTES: {
      schema: positiveInt(64 * 1024 * 1024),
      description: 'Largest upstream segment downloaded; a longer one counts as fetch-failed.',
    },
    STITCHER_UNLISTED_DELETE_MIN_MS: {
      schema: z.coerce.number().int().min(0).max(86_400_000).default(60_000),
      description:
        'An unlisted segment is deleted twice a playlist duration after it leaves the playlist, and never sooner than this (CDN caches).',
    },
    STITCHER_RETENTION_CHECK_MS: {
      schema: positiveInt(600_000),
      description: 'How often retention (objects of ended sessions, old ledger rows) runs.',
    },
    RECORDING_RETENTION_DAYS: {
      schema: z.coerce.number().min(0, 'must be >= 0').max(36_500).default(30),
      description:
        "Recordings are deleted this many days after they end (a stream's own recordingRetentionDays wins); 0 keeps them until deleted.",
    },
    STITCHER_THUMBNAILS: {
      schema: bool(true),
      description:
        'Write /hls/{playbackId}/thumbnail.jpg from listed segments (one short ffmpeg run, at most every STITCHER_THUMBNAIL_INTERVAL_SECONDS per stream).',
    },
    STITCHER_THUMBNAIL_INTERVAL_SECONDS: {
      schema: positiveInt(10, 3600),
      description:
        "Seconds between two thumbnails of one stream (the first is taken from the stream's first listed segment); one ffmpeg run at a time per stitcher process, skipped while one is going.",
    },
  },
  (env) => ({
    httpPort: env.STITCHER_HTTP_PORT,
    adminToken: env.ADMIN_TOKEN,
    playlistWindowSegments: env.PLAYLIST_WINDOW_SEGMENTS,
    pollIntervalMs: env.POLL_INTERVAL_MS,
    retentionHours: env.RETENTION_HOURS,
    ledgerRetentionDays: env.LEDGER_RETENTION_DAYS,
    leaseTtlMs: env.STITCHER_LEASE_TTL_MS,
    scanIntervalMs: env.STITCHER_SCAN_INTERVAL_MS,
    deadlineFactor: env.STITCHER_DEADLINE_FACTOR,
    endGraceMs: env.STITCHER_END_GRACE_MS,
    shutdownGraceMs: env.STITCHER_SHUTDOWN_GRACE_MS,
    verifyIntervalMs: env.STITCHER_VERIFY_INTERVAL_MS,
    allowedSegmentHosts: env.STITCHER_ALLOWED_SEGMENT_HOSTS,
    fetchTimeoutMs: env.STITCHER_FETCH_TIMEOUT_MS,
    maxPlaylistBytes: env.STITCHER_MAX_PLAYLIST_BYTES,
    maxSegmentBytes: env.STITCHER_MAX_SEGMENT_BYTES,
    unlistedDeleteMinMs: env.STITCHER_UNLISTED_DELETE_MIN_MS,
    retentionCheckMs: env.STITCHER_RETENTION_CHECK_MS,
    recordingRetentionDays: env.RECORDING_RETENTION_DAYS,
    thumbnails: env.STITCHER_THUMBNAILS,
    thumbnailIntervalMs: env.STITCHER_THUMBNAIL_INTERVAL_SECONDS * 1000,
  }),
);
