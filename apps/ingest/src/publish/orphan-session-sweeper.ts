import { Injectable, Logger } from '@nestjs/common';
import { SessionRepository } from '@lib/database';
import { PublishLockService, lockHeldBySession } from './publish-lock.service';
import { PublishManager } from './publish-manager.service';
import { SessionRecorder } from './session-recorder.service';

/** Ends a session whose ingest copy is gone, found by another copy (or this one, restarted). */
export const INGEST_GONE = 'ingest restarted: its publish lock expired';

/**
 * Sessions still `starting`/`live` whose publish is held by no ingest process: the publish
 * lock (renewed every third of INGEST_PUBLISH_LOCK_TTL_MS by the process publishing) is gone,
 * or names another session. That works across ingest copies and without the dead copy's spool
 * (SpoolRecovery handles the spool of this one). A lock seen missing once may be a Redis that
 * restarted empty, which the live publisher takes back within a third of the TTL: a session
 * is ended only when its lock is still not its own one sweep (one TTL) later.
 */
@Injectable()
export class OrphanSessionSweeper {
  private readonly logger = new Logger('OrphanSweeper');
  private suspects = new Set<string>();

  constructor(
    private readonly sessions: SessionRepository,
    private readonly recorder: SessionRecorder,
    private readonly lock: PublishLockService,
    private readonly publishes: PublishManager,
  ) {}

  /** One sweep; returns the sessions it ended. Sessions of this process are never touched. */
  async sweep(now = Date.now()): Promise<string[]> {
    const open = await this.sessions.live();
    const stillSuspect = new Set<string>();
    const ended: string[] = [];
    for (const session of open) {
      if (this.publishes.has(session.id) || now - session.startedAt < this.lock.ttlMs) continue;
      if (lockHeldBySession(await this.lock.holder(session.streamId), session.id)) continue;
      if (!this.suspects.has(session.id)) {
        stillSuspect.add(session.id);
        continue;
      }
      if (await this.recorder.endOrphan(session.id, session.streamId, INGEST_GONE)) {
        ended.push(session.id);
        this.logger.warn(
          { event: 'orphan-session-ended', sessionId: session.id, streamId: session.streamId, reason: INGEST_GONE },
          'session without a live publisher ended',
        );
      }
    }
    this.suspects = stillSuspect;
    return ended;
  }
}
