import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '../columns';
import type { DropReason, SegmentState } from '../ledger-states';

/** The segment ledger: one row per source segment of a session, written by every app. */
@Entity({ name: 'segments' })
@Index(['state', 'ingestedAt'])
export class SegmentEntity {
  @PrimaryColumn({ name: 'session_id', type: 'varchar', length: 36 })
  sessionId!: string;

  @PrimaryColumn({ type: 'integer' })
  seq!: number;

  @Index()
  @Column({ name: 'stream_id', type: 'varchar', length: 36 })
  streamId!: string;

  @Column({ name: 'duration_ms', type: 'integer' })
  durationMs!: number;

  @Column({ type: 'integer' })
  bytes!: number;

  /** WIDTHxHEIGHT of the source, sent as Content-Resolution. */
  @Column({ type: 'varchar', length: 16, nullable: true })
  resolution!: string | null;

  @Column({ name: 'object_key', type: 'varchar', length: 255 })
  objectKey!: string;

  @Column({ type: 'varchar', length: 16 })
  state!: SegmentState;

  @Column({ name: 'drop_reason', type: 'varchar', length: 32, nullable: true })
  dropReason!: DropReason | null;

  /** Free text beside the fixed reason (status code, error message). */
  @Column({ name: 'drop_detail', type: 'text', nullable: true })
  dropDetail!: string | null;

  /** Broadcaster addresses tried, in order. */
  @Column({ type: 'simple-json' })
  broadcasters!: string[];

  /**
   * Renditions the broadcaster returned in its push answer, stored by the worker: rendition name
   * -> object key. Null on the playlist path (the stitcher polls the amalgamated playlists then).
   */
  @Column({ type: 'simple-json', nullable: true })
  renditions!: Record<string, string> | null;

  /** Upload attempts: one per broadcaster tried, so derived from that list (never stored). */
  get attempts(): number {
    return this.broadcasters?.length ?? 0;
  }

  /** Time spent sending the body (ms) of the successful PUT. */
  @Column({ name: 'upload_ms', type: 'integer', nullable: true })
  uploadMs!: number | null;

  /** PUT start -> response complete (includes transcoding) of the successful PUT. */
  @Column({ name: 'round_trip_ms', type: 'integer', nullable: true })
  roundTripMs!: number | null;

  /** When the segment's first frame reached ingest (its `#EXT-X-PROGRAM-DATE-TIME`); null in old rows. */
  @Column({ name: 'started_at', type: 'bigint', transformer: epochMs, nullable: true })
  startedAt!: number | null;

  @Column({ name: 'ingested_at', type: 'bigint', transformer: epochMs })
  ingestedAt!: number;

  @Column({ name: 'queued_at', type: 'bigint', transformer: epochMs, nullable: true })
  queuedAt!: number | null;

  @Column({ name: 'uploaded_at', type: 'bigint', transformer: epochMs, nullable: true })
  uploadedAt!: number | null;

  @Column({ name: 'updated_at', type: 'bigint', transformer: epochMs })
  updatedAt!: number;
}
