import type { SessionEntity } from '@lib/database';
import type { StreamRef } from './stream-playlists';

/**
 * What republishing tells the outside world about a session (implemented by the webhooks
 * module; optional, so republishing runs without it in tests that do not look).
 */
export interface SessionLifecycle {
  /** A seq was listed in every variant. */
  listed(stream: StreamRef, session: SessionEntity, seq: number): Promise<void>;
  /** A seq was skipped in every variant, with each variant's reason. */
  skipped(stream: StreamRef, session: SessionEntity, seq: number, reasons: Record<string, string>): Promise<void>;
  /** The session's playlists were closed after the end grace: the stream is idle. */
  idle(stream: StreamRef, session: SessionEntity): Promise<void>;
}

export const SESSION_LIFECYCLE = 'republish:session-lifecycle';
