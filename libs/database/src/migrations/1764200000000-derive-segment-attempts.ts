import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * `segments.attempts` always equalled the length of `segments.broadcasters` (one address per
 * attempt): the count is derived from the list now, and the column goes. Schema builders only,
 * so it runs on PostgreSQL and SQLite alike (TypeORM rebuilds the SQLite table).
 */
export class DeriveSegmentAttempts1764200000000 implements MigrationInterface {
  name = 'DeriveSegmentAttempts1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.dropColumn('segments', 'attempts');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.addColumn('segments', new TableColumn({ name: 'attempts', type: 'integer', default: 0 }));
    // Raw SQL is not schema-qualified by TypeORM: name the PostgreSQL schema explicitly.
    const schema = (q.connection.options as { schema?: string }).schema;
    const segments = schema ? `"${schema}"."segments"` : '"segments"';
    const length = q.connection.options.type === 'postgres' ? 'jsonb_array_length(broadcasters::jsonb)' : 'json_array_length(broadcasters)';
    await q.query(`UPDATE ${segments} SET attempts = ${length}`);
  }
}
