import { createHash, randomBytes } from 'node:crypto';

/**
 * Stream keys are credentials: 32 random bytes, base64url (URL- and path-safe, since
 * encoders put them in rtmp://host/live/{key} and push clients in /live/{key}/{seq}.ts).
 * Only their SHA-256 is stored; the key is shown once, at creation or rotation.
 */
export function generateStreamKey(): string {
  return randomBytes(32).toString('base64url');
}

/** Hex SHA-256 of a key: what the streams table stores and looks keys up by. */
export function hashStreamKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/**
 * The relay's own playback id: 16 lower-case hex characters, stable for the life of
 * the stream (it names hls/{playbackId}/...), unrelated to the key or to Livepeer's ids.
 */
export function generatePlaybackId(): string {
  return randomBytes(8).toString('hex');
}

/**
 * A quick sanity check before a database lookup: anything a client sends as a key
 * that cannot be one (empty, huge, with characters outside base64url) is refused
 * without touching the database.
 */
export function looksLikeStreamKey(candidate: string): boolean {
  return /^[A-Za-z0-9_-]{8,128}$/.test(candidate);
}
