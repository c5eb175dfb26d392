import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type Redis from 'ioredis';
import { InjectConfig, stitcherConfig, type ConfigOf } from '@lib/config';
import { LedgerService, RenditionSegmentRepository, SessionRepository, StreamRepository, type SessionEntity } from '@lib/database';
import { REDIS, REDIS_KEYS, type RedisKeys } from '@lib/queue';
import { StorageService, objectKeys } from '@lib/storage';
import { runExclusive } from './exclusive-run';

const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;
/** Sessions purged per run, so one run stays short whatever the backlog. */
const SESSIONS_PER_RUN = 50;
const DELETE_BATCH = 1000;

export interface RetentionReport {
  purgedSessions: number;
  removedObjects: number;
  prunedLedgerRows: number;
  prunedRenditionRows: number;
}

/**
 * Retention: objects (source segments, republished segments, and the playlists of a stream with
 * no newer session) of sessions ended more than RETENTION_HOURS ago are deleted; ledger rows are
 * kept longer (LEDGER_RETENTION_DAYS). Rendition rows that carry the stream's media sequence
 * (its newest) or its discontinuity count are never pruned: a later session must continue both.
 * One stitcher copy runs it at a time (a Redis lock); running it twice would only repeat deletes.
 */
@Injectable()
export class RetentionService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RetentionService.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private readonly lockKey: string;

  constructor(
    @InjectConfig(stitcherConfig) private readonly settings: ConfigOf<typeof stitcherConfig>,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(REDIS_KEYS) keys: RedisKeys,
    private readonly storage: StorageService,
    private readonly sessions: SessionRepository,
    private readonly streams: StreamRepository,
    private readonly ledger: LedgerService,
    private readonly renditions: RenditionSegmentRepository,
  ) {
    this.lockKey = keys.stitcherRetentionLock();
  }

  onApplicationBootstrap(): void {
    const run = () => {
      this.running ??= this.runLocked()
        .catch((err: Error) => this.logger.warn({ err: err.message }, 'retention run failed'))
        .finally(() => (this.running = undefined));
    };
    this.timer = setInterval(run, this.settings.retentionCheckMs);
    this.timer.unref();
    setTimeout(run, Math.min(10_000, this.settings.retentionCheckMs)).unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One run if no other copy is running one. */
  runLocked(now = Date.now()): Promise<RetentionReport | undefined> {
    return runExclusive(this.redis, this.lockKey, () => this.run(now), now);
  }

  async run(now = Date.now()): Promise<RetentionReport> {
    const report: RetentionReport = { purgedSessions: 0, removedObjects: 0, prunedLedgerRows: 0, prunedRenditionRows: 0 };
    const objectCutoff = now - this.settings.retentionHours * HOUR_MS;
    for (const session of await this.sessions.expired(objectCutoff, SESSIONS_PER_RUN)) {
      report.removedObjects += await this.purgeSession(session);
      report.purgedSessions += 1;
    }
    const ledgerCutoff = now - this.settings.ledgerRetentionDays * DAY_MS;
    report.prunedLedgerRows = await this.ledger.pruneIngestedBefore(ledgerCutoff);
    report.prunedRenditionRows = await this.renditions.pruneBefore(ledgerCutoff);
    if (report.purgedSessions || report.prunedLedgerRows || report.prunedRenditionRows) this.logger.log(report, 'retention run');
    return report;
  }

  private async purgeSession(session: SessionEntity): Promise<number> {
    let removed = await this.storage.removePrefix(objectKeys.sourceSession(session.id));
    const rows = await this.renditions.objectsOf(session.id);
    // A newer session that has listed little so far may still show this one's last segments.
    const stillListed = rows.length ? await this.firstPossiblyListedMsn(rows[0].playbackId) : Infinity;
    const keys = rows.filter((r) => r.msn === null || r.msn < stillListed).map((r) => r.objectKey);
    for (let i = 0; i < keys.length; i += DELETE_BATCH) await this.storage.remove(keys.slice(i, i + DELETE_BATCH));
    removed += keys.length;
    const stream = await this.streams.get(session.streamId);
    const newer = await this.sessions.hasNewer(session.streamId, session.startedAt);
    if (stream && !newer) {
      // The stream's last session: its playlists go too, nothing would play any more.
      removed += await this.storage.removePrefix(objectKeys.hlsStream(stream.playbackId));
    }
    await this.sessions.markPurged(session.id);
    this.logger.log({ sessionId: session.id, objects: removed }, 'objects of an ended session removed');
    return removed;
  }

  /** Below this msn no playlist of the stream lists a segment any more (windows can exceed their size by the 3-target-duration minimum). */
  private async firstPossiblyListedMsn(playbackId: string): Promise<number> {
    const last = await this.renditions.newestMsn(playbackId);
    return last === undefined ? Infinity : last - 2 * this.settings.playlistWindowSegments - 10;
  }
}
