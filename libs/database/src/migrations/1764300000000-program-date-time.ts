import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * Wall-clock time of each segment's first frame: `segments.started_at`, written by ingest when
 * it records the segment, and `rendition_segments.program_date_time`, the value the stitcher
 * wrote as `#EXT-X-PROGRAM-DATE-TIME` for a listed segment (the same in every variant), so a
 * copy that rebuilds the playlists writes the same times. Epoch ms; null in rows written before.
 */
export class ProgramDateTime1764300000000 implements MigrationInterface {
  name = 'ProgramDateTime1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('segments', new TableColumn({ name: 'started_at', type: 'bigint', isNullable: true }));
    await q.addColumn('rendition_segments', new TableColumn({ name: 'program_date_time', type: 'bigint', isNullable: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('rendition_segments', 'program_date_time');
    await q.dropColumn('segments', 'started_at');
  }
}
