import type { SessionEntity } from '@lib/database';
import type { ReceivedSegment } from './received-segment';
import type { StreamRef } from './stream-playlists';

/** Nest token of the StreamObserver the republishing context hands to every stream. */
export const STREAM_OBSERVER = 'stitcher:stream-observer';

/** One source segment as the stream's playlists list it (every variant under one msn). */
export interface ListedSegment {
  sessionId: string;
  seq: number;
  msn: number;
  segments: ReadonlyMap<string, ReceivedSegment>;
}

/**
 * What else happens to a stream's republished media besides the live playlists (recordings,
 * thumbnails). The stream's writer calls it at these points; every method may be absent.
 */
export interface StreamObserver {
  /** A session's republishing starts (or is taken over), before any of its segments is listed. */
  sessionOpened?(stream: StreamRef, session: SessionEntity): Promise<void>;
  /** Awaited with the segment objects' writes, before the rows: a failure fails the listing (it is retried). */
  storeListed?(stream: StreamRef, listed: ListedSegment): Promise<void>;
  /** After the playlists were written; not awaited, must not throw. */
  listed?(stream: StreamRef, listed: ListedSegment): void;
  /** The stream ended (end grace over, #EXT-X-ENDLIST written), before its last session is marked done. */
  streamEnded?(stream: StreamRef, lastSession: SessionEntity): Promise<void>;
}
