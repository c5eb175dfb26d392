import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '../columns';
import type { SessionState } from '../ledger-states';
import type { LadderProfile } from './stream.entity';

/** What ingest learned by probing the publisher's input. */
export interface SourceInfo {
  videoCodec?: string;
  videoProfile?: string;
  width?: number;
  height?: number;
  fps?: number;
  keyframeIntervalSec?: number;
  audioCodec?: string;
}

/** One publish of a stream = one Livepeer stream. */
@Entity({ name: 'sessions' })
export class SessionEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Index()
  @Column({ name: 'stream_id', type: 'varchar', length: 36 })
  streamId!: string;

  /** Set once POST /api/stream succeeded; segments are enqueued only after that. */
  @Column({ name: 'livepeer_stream_id', type: 'varchar', length: 64, nullable: true })
  livepeerStreamId!: string | null;

  /** Livepeer's own key and playback id: kept for reference, never shown to viewers. */
  @Column({ name: 'livepeer_stream_key', type: 'varchar', length: 128, nullable: true })
  livepeerStreamKey!: string | null;

  @Column({ name: 'livepeer_playback_id', type: 'varchar', length: 128, nullable: true })
  livepeerPlaybackId!: string | null;

  @Column({ type: 'simple-json', nullable: true })
  profiles!: LadderProfile[] | null;

  /** Rendition name -> playlist path, as returned by POST /api/stream. */
  @Column({ type: 'simple-json', nullable: true })
  renditions!: Record<string, string> | null;

  @Index()
  @Column({ type: 'varchar', length: 16 })
  state!: SessionState;

  /** Why the session is in its state (e.g. the API's 422 message, a refused input). */
  @Column({ name: 'state_reason', type: 'text', nullable: true })
  stateReason!: string | null;

  /** rtmp or http (segment push). */
  @Column({ type: 'varchar', length: 16 })
  protocol!: string;

  @Column({ type: 'simple-json', nullable: true })
  source!: SourceInfo | null;

  /** HLS target duration of this publish (seconds), fixed for the stream. */
  @Column({ name: 'target_duration', type: 'integer' })
  targetDuration!: number;

  @Column({ name: 'started_at', type: 'bigint', transformer: epochMs })
  startedAt!: number;

  @Column({ name: 'ended_at', type: 'bigint', transformer: epochMs, nullable: true })
  endedAt!: number | null;

  /** The stitcher resolved every segment and closed the playlists of this session. */
  @Column({ name: 'playlist_ended_at', type: 'bigint', transformer: epochMs, nullable: true })
  playlistEndedAt!: number | null;

  /** The recording this session belongs to (a reconnect within the end grace shares the previous one's). */
  @Column({ name: 'recording_id', type: 'varchar', length: 36, nullable: true })
  recordingId!: string | null;

  /** Retention removed the session's source and republished objects. */
  @Column({ name: 'purged_at', type: 'bigint', transformer: epochMs, nullable: true })
  purgedAt!: number | null;
}
