import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type Redis from 'ioredis';
import { InjectConfig, stitcherConfig, type ConfigOf } from '@lib/config';
import { RecordingRepository } from '@lib/database';
import { REDIS, REDIS_KEYS, type RedisKeys } from '@lib/queue';
import { RecordingsService } from '@lib/streams';
import { runExclusive } from '../retention/exclusive-run';
import { RecordingFinalizer } from './recording-finalizer';

/** Recordings deleted per run, so one run stays short whatever the backlog. */
const RECORDINGS_PER_RUN = 50;
/** A recording still `recording` this long after all its sessions closed lost its writer before it finished. */
const STRANDED_AFTER_MS = 60_000;

export interface RecordingRetentionReport {
  deleted: number;
  finished: number;
}

/**
 * Recording retention, apart from the live window's (src/retention, which only ever deletes
 * `segments/` and `hls/` objects): a recording past its `expires_at` (RECORDING_RETENTION_DAYS,
 * or its stream's own days) is deleted like a DELETE of the admin API. It also finishes
 * recordings whose writer died between closing the playlists and finishing them. One copy runs
 * at a time (a Redis lock).
 */
@Injectable()
export class RecordingRetentionService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RecordingRetentionService.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    @InjectConfig(stitcherConfig) private readonly settings: ConfigOf<typeof stitcherConfig>,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(REDIS_KEYS) private readonly keys: RedisKeys,
    private readonly recordings: RecordingRepository,
    private readonly service: RecordingsService,
    private readonly finalizer: RecordingFinalizer,
  ) {}

  onApplicationBootstrap(): void {
    const run = () => {
      this.running ??= this.runLocked()
        .catch((err: Error) => this.logger.warn({ err: err.message }, 'recording retention run failed'))
        .finally(() => (this.running = undefined));
    };
    this.timer = setInterval(run, this.settings.retentionCheckMs);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  runLocked(now = Date.now()): Promise<RecordingRetentionReport | undefined> {
    return runExclusive(this.redis, this.keys.recordingRetentionLock(), () => this.run(now), now);
  }

  async run(now = Date.now()): Promise<RecordingRetentionReport> {
    const report: RecordingRetentionReport = { deleted: 0, finished: 0 };
    for (const recording of await this.recordings.expired(now, RECORDINGS_PER_RUN)) {
      await this.service.delete(recording.id, now);
      report.deleted += 1;
    }
    for (const recording of await this.recordings.stranded(now - STRANDED_AFTER_MS)) {
      await this.finalizer.finalize(recording.id);
      report.finished += 1;
    }
    if (report.deleted || report.finished) this.logger.log(report, 'recording retention run');
    return report;
  }
}
