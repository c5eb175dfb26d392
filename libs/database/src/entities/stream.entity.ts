import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { LivepeerProfile } from '@lib/livepeer';
import { epochMs } from '../columns';

/** A Livepeer transcoding profile as the API takes it (validated by @lib/livepeer). */
export type LadderProfile = LivepeerProfile;

/** A stream's ladder: custom profiles, or preset names, as the Livepeer API accepts them. */
export interface Ladder {
  profiles?: LadderProfile[];
  presets?: string[];
}

/** A named channel an operator publishes to; each publish of it is a Session. */
@Entity({ name: 'streams' })
export class StreamEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'simple-json' })
  ladder!: Ladder;

  /** SHA-256 of the stream key; the key itself is shown once and never stored. */
  @Index({ unique: true })
  @Column({ name: 'key_hash', type: 'varchar', length: 64 })
  keyHash!: string;

  /** The relay's own playback id: random, stable for the life of the stream, never Livepeer's. */
  @Index({ unique: true })
  @Column({ name: 'playback_id', type: 'varchar', length: 32 })
  playbackId!: string;

  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  /** Each session also becomes a VOD recording (apps/stitcher/src/recordings). */
  @Column({ type: 'boolean', default: false })
  record!: boolean;

  /** Seconds a live media playlist keeps (DVR); null: PLAYLIST_WINDOW_SEGMENTS segments. */
  @Column({ name: 'dvr_window_seconds', type: 'integer', nullable: true })
  dvrWindowSeconds!: number | null;

  /** Days the stream's recordings are kept; null: RECORDING_RETENTION_DAYS. */
  @Column({ name: 'recording_retention_days', type: 'integer', nullable: true })
  recordingRetentionDays!: number | null;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt!: number;

  @Column({ name: 'updated_at', type: 'bigint', transformer: epochMs })
  updatedAt!: number;
}
