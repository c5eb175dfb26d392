import { Injectable } from '@nestjs/common';
import type { SessionEntity } from '@lib/database';
import type { ListedSegment, StreamObserver } from '../republish/stream-observer';
import type { StreamRef } from '../republish/stream-playlists';
import { LiveThumbnails } from './live-thumbnails';
import { RecordingWriter } from './recording-writer';

/** The stitcher's StreamObserver: recordings, then live thumbnails. */
@Injectable()
export class StitcherStreamObserver implements StreamObserver {
  constructor(
    private readonly recordings: RecordingWriter,
    private readonly thumbnails: LiveThumbnails,
  ) {}

  sessionOpened(stream: StreamRef, session: SessionEntity): Promise<void> {
    return this.recordings.sessionOpened(stream, session);
  }

  storeListed(stream: StreamRef, listed: ListedSegment): Promise<void> {
    return this.recordings.storeListed(stream, listed);
  }

  listed(stream: StreamRef, listed: ListedSegment): void {
    this.thumbnails.listed(stream, listed);
  }

  streamEnded(stream: StreamRef, lastSession: SessionEntity): Promise<void> {
    this.thumbnails.forget(stream);
    return this.recordings.streamEnded(stream, lastSession);
  }
}
