import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '../columns';

export type RecordingState = 'recording' | 'ready' | 'failed' | 'deleted';
export type ExportState = 'queued' | 'running' | 'ready' | 'failed';

/**
 * One recording: the republished segments of a session, or of sessions that reconnected within
 * the end grace, kept under `recordings/{id}/` in the bucket (a prefix the live retention never
 * touches) and listed in a VOD playlist set once the stream ends.
 */
@Entity({ name: 'recordings' })
@Index(['streamId', 'startedAt'])
export class RecordingEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'stream_id', type: 'varchar', length: 36 })
  streamId!: string;

  @Column({ name: 'playback_id', type: 'varchar', length: 32 })
  playbackId!: string;

  @Index()
  @Column({ type: 'varchar', length: 16 })
  state!: RecordingState;

  @Column({ name: 'failure_reason', type: 'text', nullable: true })
  failureReason!: string | null;

  /** Variant names with a VOD media playlist (set when ready). */
  @Column({ type: 'simple-json', nullable: true })
  variants!: string[] | null;

  @Column({ name: 'started_at', type: 'bigint', transformer: epochMs })
  startedAt!: number;

  @Column({ name: 'ended_at', type: 'bigint', transformer: epochMs, nullable: true })
  endedAt!: number | null;

  /** Sum of the listed segments' durations (the same in every variant). */
  @Column({ name: 'duration_ms', type: 'integer', nullable: true })
  durationMs!: number | null;

  @Column({ type: 'integer', nullable: true })
  segments!: number | null;

  /** When recording retention deletes it; null: kept until deleted. */
  @Column({ name: 'expires_at', type: 'bigint', transformer: epochMs, nullable: true })
  expiresAt!: number | null;

  @Column({ name: 'deleted_at', type: 'bigint', transformer: epochMs, nullable: true })
  deletedAt!: number | null;
}

/** An MP4 export of one variant of a recording (the job runs on the recording-export queue). */
@Entity({ name: 'recording_exports' })
export class RecordingExportEntity {
  @PrimaryColumn({ name: 'recording_id', type: 'varchar', length: 36 })
  recordingId!: string;

  @PrimaryColumn({ type: 'varchar', length: 64 })
  variant!: string;

  @Column({ type: 'varchar', length: 16 })
  state!: ExportState;

  @Column({ name: 'object_key', type: 'varchar', length: 255, nullable: true })
  objectKey!: string | null;

  @Column({ type: 'bigint', transformer: epochMs, nullable: true })
  bytes!: number | null;

  @Column({ name: 'duration_ms', type: 'integer', nullable: true })
  durationMs!: number | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ name: 'requested_at', type: 'bigint', transformer: epochMs })
  requestedAt!: number;

  @Column({ name: 'updated_at', type: 'bigint', transformer: epochMs })
  updatedAt!: number;
}
