import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DataSource, DataSourceOptions } from 'typeorm';
import type { ConfigOf, databaseConfig } from '@lib/config';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

type DatabaseSettings = ConfigOf<typeof databaseConfig>;

/** TypeORM options for PostgreSQL (with a schema) or an SQLite file (WAL, shared by several processes). */
export function dataSourceOptions(db: DatabaseSettings): DataSourceOptions {
  const common = { entities: ENTITIES, migrations: MIGRATIONS, synchronize: false, logging: false as const };
  if (db.type === 'postgres') {
    return { ...common, type: 'postgres', url: db.url, schema: db.schema, extra: { max: 10 } };
  }
  const file = path.resolve(db.sqlitePath!);
  mkdirSync(path.dirname(file), { recursive: true });
  return {
    ...common,
    type: 'better-sqlite3',
    database: file,
    enableWAL: true,
    // Ingest, worker and stitcher write the same file: wait for each other's locks.
    prepareDatabase: (sqlite: { pragma: (s: string) => unknown }) => {
      sqlite.pragma('busy_timeout = 10000');
    },
  };
}

/**
 * Brings the schema up to date. On PostgreSQL the schema is created if missing and
 * an advisory lock makes concurrent app starts run the migrations once.
 */
export async function migrate(ds: DataSource, db: DatabaseSettings): Promise<string[]> {
  if (db.type !== 'postgres') {
    return (await ds.runMigrations({ transaction: 'all' })).map((m) => m.name);
  }
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    await runner.query(`SELECT pg_advisory_lock(hashtext($1))`, [`livepeer-relay-migrate:${db.schema}`]);
    await runner.query(`CREATE SCHEMA IF NOT EXISTS "${db.schema}"`);
    return (await ds.runMigrations({ transaction: 'all' })).map((m) => m.name);
  } finally {
    await runner.query(`SELECT pg_advisory_unlock(hashtext($1))`, [`livepeer-relay-migrate:${db.schema}`]).catch(() => undefined);
    await runner.release();
  }
}

/** An initialised DataSource, migrated first when the settings ask for it. */
export async function openDataSource(db: DatabaseSettings, runMigrations = db.migrate): Promise<DataSource> {
  const ds = new DataSource(dataSourceOptions(db));
  await ds.initialize();
  if (runMigrations) await migrate(ds, db);
  return ds;
}
