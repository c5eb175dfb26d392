import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * `segments.renditions`: where the worker stored the renditions a broadcaster returned in its
 * push answer (rendition name -> object key), so the stitcher republishes them from the bucket
 * without polling the amalgamated playlists, also after a restart. Null when the answer had no
 * parts (the playlist path).
 */
export class SegmentRenditions1764400000000 implements MigrationInterface {
  name = 'SegmentRenditions1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('segments', new TableColumn({ name: 'renditions', type: 'text', isNullable: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('segments', 'renditions');
  }
}
