import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * The stitcher's progress on a session: when its playlists were closed (every segment
 * resolved, #EXT-X-ENDLIST written or handed to the next session) and when retention removed
 * its objects. A stitcher copy that takes a stream over reads these to know which sessions are
 * still its work; sessions ended before this migration count as closed.
 */
export class SessionRepublishProgress1764100000000 implements MigrationInterface {
  name = 'SessionRepublishProgress1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumns('sessions', [
      new TableColumn({ name: 'playlist_ended_at', type: 'bigint', isNullable: true }),
      new TableColumn({ name: 'purged_at', type: 'bigint', isNullable: true }),
    ]);
    // Raw SQL is not schema-qualified by TypeORM: name the PostgreSQL schema explicitly.
    const schema = (q.connection.options as { schema?: string }).schema;
    const sessions = schema ? `"${schema}"."sessions"` : '"sessions"';
    await q.query(`UPDATE ${sessions} SET playlist_ended_at = COALESCE(ended_at, started_at) WHERE state IN ('ended', 'failed')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('sessions', 'purged_at');
    await q.dropColumn('sessions', 'playlist_ended_at');
  }
}
