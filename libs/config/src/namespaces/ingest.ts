import { defineConfig } from '../define-config';
import { port, positiveInt } from '../schemas';

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
  },
  (env) => ({
    httpPort: env.INGEST_HTTP_PORT,
    rtmpPort: env.INGEST_RTMP_PORT,
    bufferMaxSegments: env.INGEST_BUFFER_MAX_SEGMENTS,
    maxPushBytes: env.INGEST_MAX_PUSH_BYTES,
  }),
);
