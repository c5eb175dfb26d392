import { MigrationInterface, QueryRunner, Table, TableColumnOptions, TableIndex } from 'typeorm';

/**
 * The first schema: streams, sessions, the segment ledger and republished
 * rendition segments. Written with TypeORM's schema builders only, with types
 * both PostgreSQL and SQLite understand (varchar, text, integer, bigint, boolean),
 * so one migration serves both databases.
 */
const id = (name: string, length = 36): TableColumnOptions => ({ name, type: 'varchar', length: String(length) });
const text = (name: string): TableColumnOptions => ({ name, type: 'text', isNullable: true });
const ms = (name: string, nullable = false): TableColumnOptions => ({ name, type: 'bigint', isNullable: nullable });
const int = (name: string, nullable = false): TableColumnOptions => ({ name, type: 'integer', isNullable: nullable });
const str = (name: string, length: number, nullable = false): TableColumnOptions => ({
  name,
  type: 'varchar',
  length: String(length),
  isNullable: nullable,
});

export class InitialSchema1764000000000 implements MigrationInterface {
  name = 'InitialSchema1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'streams',
        columns: [
          { ...id('id'), isPrimary: true },
          str('name', 200),
          { name: 'ladder', type: 'text' },
          str('key_hash', 64),
          str('playback_id', 32),
          { name: 'enabled', type: 'boolean', default: true },
          ms('created_at'),
          ms('updated_at'),
        ],
        indices: [
          { name: 'ux_streams_key_hash', columnNames: ['key_hash'], isUnique: true },
          { name: 'ux_streams_playback_id', columnNames: ['playback_id'], isUnique: true },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'sessions',
        columns: [
          { ...id('id'), isPrimary: true },
          id('stream_id'),
          str('livepeer_stream_id', 64, true),
          str('livepeer_stream_key', 128, true),
          str('livepeer_playback_id', 128, true),
          text('profiles'),
          text('renditions'),
          str('state', 16),
          text('state_reason'),
          str('protocol', 16),
          text('source'),
          int('target_duration'),
          ms('started_at'),
          ms('ended_at', true),
        ],
        indices: [
          { name: 'ix_sessions_stream_id', columnNames: ['stream_id'] },
          { name: 'ix_sessions_state', columnNames: ['state'] },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'segments',
        columns: [
          { ...id('session_id'), isPrimary: true },
          { ...int('seq'), isPrimary: true },
          id('stream_id'),
          int('duration_ms'),
          int('bytes'),
          str('resolution', 16, true),
          str('object_key', 255),
          str('state', 16),
          str('drop_reason', 32, true),
          text('drop_detail'),
          { name: 'broadcasters', type: 'text' },
          { ...int('attempts'), default: 0 },
          int('upload_ms', true),
          int('round_trip_ms', true),
          ms('ingested_at'),
          ms('queued_at', true),
          ms('uploaded_at', true),
          ms('updated_at'),
        ],
        indices: [
          { name: 'ix_segments_stream_id', columnNames: ['stream_id'] },
          { name: 'ix_segments_state_ingested', columnNames: ['state', 'ingested_at'] },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'rendition_segments',
        columns: [
          { ...id('session_id'), isPrimary: true },
          { ...int('seq'), isPrimary: true },
          { ...str('rendition', 64), isPrimary: true },
          str('playback_id', 32),
          str('state', 16),
          int('msn', true),
          int('duration_ms', true),
          int('bytes', true),
          str('object_key', 255, true),
          { name: 'discontinuity', type: 'boolean', default: false },
          str('drop_reason', 32, true),
          ms('republished_at'),
        ],
      }),
    );
    await q.createIndex(
      'rendition_segments',
      new TableIndex({ name: 'ux_rendition_segments_msn', columnNames: ['playback_id', 'rendition', 'msn'], isUnique: true }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['rendition_segments', 'segments', 'sessions', 'streams']) await q.dropTable(table);
  }
}
