import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '../columns';
import type { DropReason, RenditionSegmentState } from '../ledger-states';

/**
 * One row per republished (session, seq, rendition): the stitcher's part of the
 * ledger. `msn` is the media sequence number in the relay's playlist of
 * (playbackId, rendition), which never restarts across sessions.
 */
@Entity({ name: 'rendition_segments' })
@Index(['playbackId', 'rendition', 'msn'], { unique: true })
export class RenditionSegmentEntity {
  @PrimaryColumn({ name: 'session_id', type: 'varchar', length: 36 })
  sessionId!: string;

  @PrimaryColumn({ type: 'integer' })
  seq!: number;

  @PrimaryColumn({ type: 'varchar', length: 64 })
  rendition!: string;

  @Column({ name: 'playback_id', type: 'varchar', length: 32 })
  playbackId!: string;

  @Column({ type: 'varchar', length: 16 })
  state!: RenditionSegmentState;

  @Column({ type: 'integer', nullable: true })
  msn!: number | null;

  @Column({ name: 'duration_ms', type: 'integer', nullable: true })
  durationMs!: number | null;

  @Column({ type: 'integer', nullable: true })
  bytes!: number | null;

  @Column({ name: 'object_key', type: 'varchar', length: 255, nullable: true })
  objectKey!: string | null;

  /** A discontinuity tag precedes this segment in the playlist. */
  @Column({ type: 'boolean', default: false })
  discontinuity!: boolean;

  /** Epoch ms written as `#EXT-X-PROGRAM-DATE-TIME` (the same for the msn in every variant); null in old rows. */
  @Column({ name: 'program_date_time', type: 'bigint', transformer: epochMs, nullable: true })
  programDateTime!: number | null;

  @Column({ name: 'drop_reason', type: 'varchar', length: 32, nullable: true })
  dropReason!: DropReason | null;

  @Column({ name: 'republished_at', type: 'bigint', transformer: epochMs })
  republishedAt!: number;
}
