import { MigrationInterface, QueryRunner, Table, TableColumn } from 'typeorm';

/**
 * Recordings: per stream `record`, `dvr_window_seconds` (a live media playlist keeps that many
 * seconds instead of PLAYLIST_WINDOW_SEGMENTS) and `recording_retention_days` (null: the
 * RECORDING_RETENTION_DAYS default); `sessions.recording_id` (the recording a session belongs
 * to: reconnects within the end grace share one); `recordings` and their MP4 exports
 * (`recording_exports`, one row per recording and variant).
 */
export class Recordings1764500000000 implements MigrationInterface {
  name = 'Recordings1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('streams', new TableColumn({ name: 'record', type: 'boolean', default: false }));
    await q.addColumn('streams', new TableColumn({ name: 'dvr_window_seconds', type: 'integer', isNullable: true }));
    await q.addColumn('streams', new TableColumn({ name: 'recording_retention_days', type: 'integer', isNullable: true }));
    await q.addColumn('sessions', new TableColumn({ name: 'recording_id', type: 'varchar', length: '36', isNullable: true }));
    await q.createTable(
      new Table({
        name: 'recordings',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'stream_id', type: 'varchar', length: '36' },
          { name: 'playback_id', type: 'varchar', length: '32' },
          { name: 'state', type: 'varchar', length: '16' },
          { name: 'failure_reason', type: 'text', isNullable: true },
          { name: 'variants', type: 'text', isNullable: true },
          { name: 'started_at', type: 'bigint' },
          { name: 'ended_at', type: 'bigint', isNullable: true },
          { name: 'duration_ms', type: 'integer', isNullable: true },
          { name: 'segments', type: 'integer', isNullable: true },
          { name: 'expires_at', type: 'bigint', isNullable: true },
          { name: 'deleted_at', type: 'bigint', isNullable: true },
        ],
        indices: [
          { name: 'ix_recordings_stream', columnNames: ['stream_id', 'started_at'] },
          { name: 'ix_recordings_state', columnNames: ['state'] },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'recording_exports',
        columns: [
          { name: 'recording_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'variant', type: 'varchar', length: '64', isPrimary: true },
          { name: 'state', type: 'varchar', length: '16' },
          { name: 'object_key', type: 'varchar', length: '255', isNullable: true },
          { name: 'bytes', type: 'bigint', isNullable: true },
          { name: 'duration_ms', type: 'integer', isNullable: true },
          { name: 'error', type: 'text', isNullable: true },
          { name: 'requested_at', type: 'bigint' },
          { name: 'updated_at', type: 'bigint' },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('recording_exports');
    await q.dropTable('recordings');
    await q.dropColumn('sessions', 'recording_id');
    await q.dropColumn('streams', 'recording_retention_days');
    await q.dropColumn('streams', 'dvr_window_seconds');
    await q.dropColumn('streams', 'record');
  }
}
