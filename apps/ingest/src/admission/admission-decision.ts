import { sessionLimitAnswer } from '@lib/livepeer';

/**
 * The admission decision, pure (apps/ingest/README.md, "Admission"): from what the relay
 * knows of its broadcasters and its own load, how many publishes it can serve at once, and
 * whether one more fits. A publish that does not fit is refused at connect time rather than
 * spreading the shortage over the streams already live.
 */

/** What is known of one broadcaster right now. */
export interface BroadcasterLoad {
  address: string;
  /** Its session limit as it told us (/status `maxSessions`, a "Too many sessions (max N)" answer), if it did. */
  maxSessions?: number;
  /** Sessions it says it holds (/status `sessions`), if it says. */
  heldSessions?: number;
  /** The relay's live sessions the workers have assigned to it. */
  assignedSessions: number;
  /** It answered "Too many sessions" or 503 recently: it takes no new session. */
  full: boolean;
}

export interface AdmissionLimits {
  /** MAX_LIVE_SESSIONS; 0 = no deployment cap. */
  maxLiveSessions: number;
  /** Assumed session limit of a broadcaster that does not tell its own. */
  broadcasterMaxSessions: number;
  /** ADMISSION_MAX_UPLOAD_BACKLOG; 0 = not checked. */
  maxUploadBacklog: number;
}

export interface LoadSnapshot {
  /** null when the broadcaster list could not be read: the broadcasters are then not a limit. */
  broadcasters: BroadcasterLoad[] | null;
  /** Upload jobs waiting for a worker, or null when unknown. */
  uploadBacklog: number | null;
}

export type RefusalReason = 'max-live-sessions' | 'no-broadcaster-capacity' | 'workers-busy';

export type AdmissionVerdict = { admit: true } | { admit: false; reason: RefusalReason; message: string };

/**
 * New sessions one broadcaster can still take on top of the relay's sessions already on it
 * is `max - held`; the sessions it holds that are not the relay's live ones (ended publishes it
 * has not expired yet, other clients) take room from the relay. A full one takes none.
 * Returned as the number of the relay's sessions it can carry in all.
 */
export function broadcasterCapacity(b: BroadcasterLoad, assumedMax: number): number {
  const max = b.maxSessions ?? assumedMax;
  const foreign = Math.max(0, (b.heldSessions ?? b.assignedSessions) - b.assignedSessions);
  const room = Math.max(0, max - foreign);
  return b.full ? Math.min(room, b.assignedSessions) : room;
}

/** How many publishes may be live at once, and which limit sets it (null: none applies). */
export function sessionLimit(snapshot: LoadSnapshot, limits: AdmissionLimits): { limit: number; by: RefusalReason } | null {
  const candidates: { limit: number; by: RefusalReason }[] = [];
  if (limits.maxLiveSessions > 0) candidates.push({ limit: limits.maxLiveSessions, by: 'max-live-sessions' });
  if (snapshot.broadcasters !== null) {
    const total = snapshot.broadcasters.reduce((sum, b) => sum + broadcasterCapacity(b, limits.broadcasterMaxSessions), 0);
    candidates.push({ limit: total, by: 'no-broadcaster-capacity' });
  }
  if (candidates.length === 0) return null;
  return candidates.reduce((a, b) => (b.limit < a.limit ? b : a));
}

/** Whether the workers keep up; checked before any slot is counted. */
export function backlogVerdict(snapshot: LoadSnapshot, limits: AdmissionLimits): AdmissionVerdict {
  if (limits.maxUploadBacklog > 0 && snapshot.uploadBacklog !== null && snapshot.uploadBacklog > limits.maxUploadBacklog) {
    return {
      admit: false,
      reason: 'workers-busy',
      message: `the relay is at capacity: ${snapshot.uploadBacklog} segments wait for a worker (limit ${limits.maxUploadBacklog})`,
    };
  }
  return { admit: true };
}

/** The refusal a publisher sees when `live` publishes already fill `limit`. */
export function capacityRefusal(live: number, limit: { limit: number; by: RefusalReason }): AdmissionVerdict & { admit: false } {
  const message =
    limit.by === 'max-live-sessions'
      ? `the relay is at capacity: ${live} of ${limit.limit} live sessions (MAX_LIVE_SESSIONS)`
      : `the relay is at capacity: the broadcasters can transcode ${limit.limit} sessions and ${live} are live`;
  return { admit: false, reason: limit.by, message };
}

/**
 * The broadcaster takes no new session, by its last failure: "Too many sessions" (with its limit
 * when it says it) or a 503 (go-livepeer: no transcoding capacity).
 */
export function fullAnswer(lastError: string | undefined): { max?: number } | null {
  return sessionLimitAnswer(lastError) ?? (lastError && /^HTTP 503\b/.test(lastError) ? {} : null);
}
