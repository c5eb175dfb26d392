import os from 'node:os';
import path from 'node:path';
import { z } from 'zod/v4';
import { defineConfig } from '../define-config';
import { port, positiveInt } from '../schemas';

const publicUrl = (schemes: string[]) =>
  z
    .string()
    .url('must be a URL')
    .refine((v) => schemes.some((s) => v.startsWith(`${s}://`)), `must start with ${schemes.map((s) => `${s}://`).join(' or ')}`)
    .transform((v) => v.replace(/\/+$/, ''))
    .optional();

export const ingestConfig = defineConfig(
  'ingest',
  {
    INGEST_HTTP_PORT: { schema: port(8081), description: 'Ingest HTTP port (health, metrics, HTTP segment push).' },
    INGEST_RTMP_PORT: { schema: port(1935), description: 'RTMP publish port: rtmp://host:1935/live/{streamKey}.' },
    INGEST_BUFFER_MAX_SEGMENTS: {
      schema: positiveInt(300),
      description: 'Segments kept on local disk while S3 or Redis is unreachable; older ones are dropped.',
    },
    INGEST_MAX_PUSH_BYTES: {
      schema: positiveInt(64 * 1024 * 1024),
      description: 'Largest HTTP-pushed segment accepted (bytes).',
    },
    INGEST_SPOOL_DIR: {
      schema: z.string().min(1).default(path.join(os.tmpdir(), 'livepeer-relay-ingest')),
      description: 'Local directory where segments are cut and wait until the object store has them.',
    },
    INGEST_PUSH_IDLE_TIMEOUT_MS: {
      schema: positiveInt(60_000),
      description: 'An HTTP push session ends this long after its last segment (go-livepeer: 60 s).',
    },
    INGEST_PUBLISH_LOCK_TTL_MS: {
      schema: positiveInt(15_000).refine((v) => v >= 3000, 'must be >= 3000'),
      description: 'Expiry of the one-publish-per-key Redis lock; renewed every third of it while live.',
    },
    INGEST_SHUTDOWN_GRACE_MS: {
      schema: positiveInt(8000),
      description: 'On SIGTERM, how long in-flight segments may take to reach the object store and queue.',
    },
    INGEST_PUBLIC_RTMP_URL: {
      schema: publicUrl(['rtmp', 'rtmps']),
      description: 'RTMP base shown in publish URLs (default rtmp://PUBLIC_HOST:INGEST_RTMP_PORT/live).',
    },
    INGEST_PUBLIC_PUSH_URL: {
      schema: publicUrl(['http', 'https']),
      description: 'HTTP push base shown in publish URLs (default http://PUBLIC_HOST:INGEST_HTTP_PORT/live).',
    },
  },
  (env) => ({
    httpPort: env.INGEST_HTTP_PORT,
    rtmpPort: env.INGEST_RTMP_PORT,
    bufferMaxSegments: env.INGEST_BUFFER_MAX_SEGMENTS,
    maxPushBytes: env.INGEST_MAX_PUSH_BYTES,
    spoolDir: env.INGEST_SPOOL_DIR,
    pushIdleTimeoutMs: env.INGEST_PUSH_IDLE_TIMEOUT_MS,
    publishLockTtlMs: env.INGEST_PUBLISH_LOCK_TTL_MS,
    shutdownGraceMs: env.INGEST_SHUTDOWN_GRACE_MS,
    publicRtmpUrl: env.INGEST_PUBLIC_RTMP_URL,
    publicPushUrl: env.INGEST_PUBLIC_PUSH_URL,
  }),
);
