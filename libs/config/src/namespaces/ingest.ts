import path from 'node:path';
import { z } from 'zod/v4';
import { ConfigError, defineConfig } from '../define-config';
import { port, positiveInt } from '../schemas';

const publicUrl = (schemes: string[]) =>
  z
    .string()
    .url('must be a URL')
    .refine((v) => schemes.some((s) => v.startsWith(`${s}://`)), `must start with ${schemes.map((s) => `${s}://`).join(' or ')}`)
    .transform((v) => v.replace(/\/+$/, ''))
    .optional();

/** RTMP message lengths are 3-byte fields. */
const RTMP_MAX_LENGTH = 0xffffff;

/** A budget must hold at least one message of the size it is meant for. */
function atLeast(value: number, name: string, floor: number, floorName: string): number {
  if (value < floor) throw new ConfigError([`${name}: must be >= ${floorName} (${floor})`]);
  return value;
}

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
      schema: z.string().min(1).optional(),
      description:
        'Local directory where segments are cut and wait until the object store has them (default: DATA_DIR/ingest-spool, so each instance has its own).',
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
    INGEST_RTMP_PUBLISH_TIMEOUT_MS: {
      schema: positiveInt(10_000, 600_000).refine((v) => v >= 1000, 'must be >= 1000'),
      description: 'An RTMP connection that has not sent its publish command this long after connecting is closed.',
    },
    INGEST_RTMP_MAX_CHUNK_SIZE: {
      schema: positiveInt(65_536, RTMP_MAX_LENGTH).refine((v) => v >= 128, 'must be >= 128'),
      description: 'Largest chunk size an RTMP peer may set (Set Chunk Size); a larger one closes the connection.',
    },
    INGEST_RTMP_MAX_CHUNK_STREAMS: {
      schema: positiveInt(16, 65_599).refine((v) => v >= 4, 'must be >= 4'),
      description: 'Chunk streams one RTMP connection may open (encoders use 3 to 6).',
    },
    INGEST_RTMP_MAX_MESSAGE_BYTES: {
      schema: positiveInt(8 * 1024 * 1024, RTMP_MAX_LENGTH),
      description: 'Largest RTMP message (a video frame) accepted after the publish command.',
    },
    INGEST_RTMP_MAX_BUFFERED_BYTES: {
      schema: positiveInt(32 * 1024 * 1024),
      description: 'Message buffers one publishing RTMP connection may hold at once, over all its chunk streams.',
    },
    INGEST_RTMP_MAX_COMMAND_BYTES: {
      schema: positiveInt(64 * 1024, RTMP_MAX_LENGTH),
      description: 'Largest AMF command or data message (and any message before the publish command); checked before decoding.',
    },
    INGEST_RTMP_PREPUBLISH_MAX_BUFFERED_BYTES: {
      schema: positiveInt(512 * 1024),
      description: 'Message buffers an RTMP connection may hold before its publish command (unauthenticated).',
    },
  },
  (env) => ({
    httpPort: env.INGEST_HTTP_PORT,
    rtmpPort: env.INGEST_RTMP_PORT,
    bufferMaxSegments: env.INGEST_BUFFER_MAX_SEGMENTS,
    maxPushBytes: env.INGEST_MAX_PUSH_BYTES,
    spoolDir: env.INGEST_SPOOL_DIR ?? path.resolve(process.env.DATA_DIR || 'data', 'ingest-spool'),
    pushIdleTimeoutMs: env.INGEST_PUSH_IDLE_TIMEOUT_MS,
    publishLockTtlMs: env.INGEST_PUBLISH_LOCK_TTL_MS,
    shutdownGraceMs: env.INGEST_SHUTDOWN_GRACE_MS,
    publicRtmpUrl: env.INGEST_PUBLIC_RTMP_URL,
    publicPushUrl: env.INGEST_PUBLIC_PUSH_URL,
    rtmpLimits: {
      publishTimeoutMs: env.INGEST_RTMP_PUBLISH_TIMEOUT_MS,
      maxChunkSize: env.INGEST_RTMP_MAX_CHUNK_SIZE,
      maxChunkStreams: env.INGEST_RTMP_MAX_CHUNK_STREAMS,
      maxMessageBytes: env.INGEST_RTMP_MAX_MESSAGE_BYTES,
      maxBufferedBytes: atLeast(
        env.INGEST_RTMP_MAX_BUFFERED_BYTES,
        'INGEST_RTMP_MAX_BUFFERED_BYTES',
        env.INGEST_RTMP_MAX_MESSAGE_BYTES,
        'INGEST_RTMP_MAX_MESSAGE_BYTES',
      ),
      maxCommandBytes: env.INGEST_RTMP_MAX_COMMAND_BYTES,
      prePublishMaxBufferedBytes: atLeast(
        env.INGEST_RTMP_PREPUBLISH_MAX_BUFFERED_BYTES,
        'INGEST_RTMP_PREPUBLISH_MAX_BUFFERED_BYTES',
        env.INGEST_RTMP_MAX_COMMAND_BYTES,
        'INGEST_RTMP_MAX_COMMAND_BYTES',
      ),
    },
  }),
);
