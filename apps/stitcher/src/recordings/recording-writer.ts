import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { RecordingRepository, StreamRepository, type SessionEntity } from '@lib/database';
import { StorageService, objectKeys } from '@lib/storage';
import { storeSegment } from '../republish/received-segment';
import type { ListedSegment, StreamObserver } from '../republish/stream-observer';
import type { StreamRef } from '../republish/stream-playlists';
import { RecordingFinalizer } from './recording-finalizer';

/**
 * Records the sessions of streams with `record: true`. A session joins the stream's open
 * recording (a reconnect within the end grace: the live playlists went on after a
 * discontinuity, so does the recording) or starts one; every segment it lists is also written
 * under the recording's own prefix, with the live segment objects, before the rows; when the
 * stream ends the recording is finished (RecordingFinalizer).
 */
@Injectable()
export class RecordingWriter implements StreamObserver {
  private readonly logger = new Logger(RecordingWriter.name);
  /** Stream id -> the recording of the session being republished (null: not recorded). */
  private readonly current = new Map<string, string | null>();

  constructor(
    private readonly recordings: RecordingRepository,
    private readonly streams: StreamRepository,
    private readonly storage: StorageService,
    private readonly finalizer: RecordingFinalizer,
  ) {}

  async sessionOpened(stream: StreamRef, session: SessionEntity): Promise<void> {
    this.current.set(stream.id, await this.recordingFor(session));
  }

  async storeListed(stream: StreamRef, listed: ListedSegment): Promise<void> {
    const recordingId = this.current.get(stream.id);
    if (!recordingId) return;
    await Promise.all(
      [...listed.segments].map(([variant, s]) =>
        storeSegment(this.storage, s, objectKeys.recordingSegment(recordingId, variant, listed.msn)),
      ),
    );
  }

  async streamEnded(stream: StreamRef, lastSession: SessionEntity): Promise<void> {
    const recordingId = lastSession.recordingId ?? this.current.get(stream.id);
    this.current.delete(stream.id);
    if (recordingId) await this.finalizer.finalize(recordingId);
  }

  /** The session's recording: the one it has (a takeover), the stream's open one, or a new one; null when not recorded. */
  private async recordingFor(session: SessionEntity): Promise<string | null> {
    if (session.recordingId) return session.recordingId;
    const stream = await this.streams.get(session.streamId);
    const open = await this.recordings.openOfStream(session.streamId);
    if (!stream?.record) {
      // Recording was switched off between a session and its reconnect: what was recorded is finished.
      if (open) await this.finalizer.finalize(open.id);
      return null;
    }
    let recordingId = open?.id;
    if (!recordingId) {
      recordingId = randomUUID();
      await this.recordings.insert({
        id: recordingId,
        streamId: stream.id,
        playbackId: stream.playbackId,
        state: 'recording',
        failureReason: null,
        variants: null,
        startedAt: session.startedAt,
        endedAt: null,
        durationMs: null,
        segments: null,
        expiresAt: null,
        deletedAt: null,
      });
      this.logger.log({ recordingId, streamId: stream.id, sessionId: session.id }, 'recording started');
    } else {
      this.logger.log({ recordingId, sessionId: session.id }, 'reconnect within the grace: the recording goes on');
    }
    await this.recordings.attachSession(session.id, recordingId);
    session.recordingId = recordingId;
    return recordingId;
  }
}
