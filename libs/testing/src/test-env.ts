import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { EMBEDDED_S3_CREDENTIALS, EmbeddedS3, freePort, startEmbeddedS3 } from '@lib/runtime';

/** The machine's shared services; a test never changes their data outside its own prefix/schema. */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const TEST_POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestEnvOptions {
  /** Short name of the test file, part of every isolated resource name. */
  name: string;
  /** postgres (default) or sqlite. */
  database?: 'postgres' | 'sqlite';
  /** Start an embedded S3 server for this file (default true). */
  s3?: boolean;
}

/**
 * Isolated resources for one test file: its own Redis prefix, bucket, database
 * schema (or SQLite file), temp directory and S3 server on a free port, so test
 * files run in parallel and never touch a running `npm start`.
 */
export class TestEnv {
  readonly id: string;
  readonly tmpDir: string;
  readonly schema: string;
  s3?: EmbeddedS3;

  private constructor(readonly options: TestEnvOptions) {
    const slug = options.name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .slice(0, 20);
    this.id = `t-${slug}-${randomBytes(3).toString('hex')}`;
    this.schema = this.id.replace(/-/g, '_');
    this.tmpDir = mkdtempSync(path.join(os.tmpdir(), `${this.id}-`));
  }

  static async create(options: TestEnvOptions): Promise<TestEnv> {
    const env = new TestEnv(options);
    if (options.s3 !== false) {
      env.s3 = await startEmbeddedS3({ port: await freePort(), directory: path.join(env.tmpDir, 's3') });
    }
    return env;
  }

  get databaseUrl(): string {
    return this.options.database === 'sqlite' ? `sqlite:${path.join(this.tmpDir, 'relay.sqlite')}` : TEST_POSTGRES_URL;
  }

  /** Environment variables for an app process (or a config load) bound to this test's resources. */
  vars(extra: Record<string, string | number | undefined> = {}): Record<string, string> {
    const base: Record<string, string | number | undefined> = {
      LOG_LEVEL: 'info',
      // Tests read ports from the apps' JSON listening lines, whatever the developer's LOG_FORMAT.
      LOG_FORMAT: 'json',
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: this.id,
      S3_ENDPOINT: this.s3?.endpoint,
      S3_ACCESS_KEY: EMBEDDED_S3_CREDENTIALS.accessKey,
      S3_SECRET_KEY: EMBEDDED_S3_CREDENTIALS.secretKey,
      S3_BUCKET: this.id,
      DATABASE_URL: this.databaseUrl,
      DATABASE_SCHEMA: this.schema,
      // The default spool is shared by every ingest on the machine, and a starting ingest ends
      // the sessions it finds there as its dead predecessor's: each test keeps its own.
      INGEST_SPOOL_DIR: path.join(this.tmpDir, 'spool'),
      INGEST_HTTP_PORT: 0,
      INGEST_RTMP_PORT: 0,
      WORKER_HTTP_PORT: 0,
      STITCHER_HTTP_PORT: 0,
      LIVEPEER_LOCAL_PORT: 0,
      LIVEPEER_LOCAL_BROADCASTER_PORT: 0,
      ...extra,
    };
    return Object.fromEntries(
      Object.entries(base)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, String(v)]),
    );
  }

  /** process.env merged with vars(), for spawning app processes. */
  processEnv(extra: Record<string, string | number | undefined> = {}): NodeJS.ProcessEnv {
    return { ...process.env, ...this.vars(extra) };
  }

  /** Drops the schema, deletes the Redis keys of the prefix, stops S3, removes temp files. */
  async cleanup(): Promise<void> {
    await this.s3?.close().catch(() => undefined);
    if (this.options.database !== 'sqlite') {
      const pg = new Client({ connectionString: TEST_POSTGRES_URL });
      await pg.connect();
      await pg.query(`DROP SCHEMA IF EXISTS "${this.schema}" CASCADE`).finally(() => pg.end());
    }
    await deleteRedisPrefix(TEST_REDIS_URL, this.id);
    rmSync(this.tmpDir, { recursive: true, force: true });
  }
}

export async function deleteRedisPrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
