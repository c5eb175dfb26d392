import { z } from 'zod/v4';
import { defineConfig } from '../define-config';
import { httpUrl } from '../schemas';

export const s3Config = defineConfig(
  's3',
  {
    S3_ENDPOINT: {
      schema: httpUrl('http://127.0.0.1:9000'),
      description: 'S3-compatible endpoint (MinIO, S3). `npm start` runs an embedded S3 server on S3_PORT when this is unset.',
    },
    S3_REGION: { schema: z.string().min(1).default('us-east-1'), description: 'Region sent in S3 signatures.' },
    S3_ACCESS_KEY: {
      schema: z.string().min(1).default('S3RVER'),
      description: 'S3 access key (the embedded S3 server of npm start accepts only this key and its secret).',
    },
    S3_SECRET_KEY: {
      schema: z.string().min(1).default('S3RVER'),
      description: 'S3 secret key (never logged).',
    },
    S3_BUCKET: {
      schema: z
        .string()
        .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a valid S3 bucket name')
        .default('livepeer-relay'),
      description: 'Bucket holding source segments and republished HLS; created at start if missing.',
    },
  },
  (env) => {
    const url = new URL(env.S3_ENDPOINT);
    return {
      endpoint: env.S3_ENDPOINT,
      host: url.hostname,
      port: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80,
      useSSL: url.protocol === 'https:',
      region: env.S3_REGION,
      accessKey: env.S3_ACCESS_KEY,
      secretKey: env.S3_SECRET_KEY,
      bucket: env.S3_BUCKET,
    };
  },
);
