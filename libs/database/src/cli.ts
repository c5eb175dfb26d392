import { ConfigError, databaseConfig } from '@lib/config';
import { openDataSource, migrate } from './data-source';

/**
 * `npm run migrate` (or `node dist/libs/database/src/cli.js [migrate|status]`):
 * applies pending migrations to DATABASE_URL / DATABASE_SCHEMA, or lists them.
 */
async function main(command = process.argv[2] ?? 'migrate') {
  const db = databaseConfig.load();
  const ds = await openDataSource(db, false);
  try {
    if (command === 'migrate') {
      const applied = await migrate(ds, db);
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
    } else if (command === 'status') {
      const pending = await ds.showMigrations();
      console.log(pending ? 'migrations pending' : 'database is up to date');
      process.exitCode = pending ? 1 : 0;
    } else {
      console.error(`unknown command "${command}" (use migrate or status)`);
      process.exitCode = 2;
    }
  } finally {
    await ds.destroy();
  }
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : `migration failed: ${err.stack ?? err}`);
  process.exit(1);
});
