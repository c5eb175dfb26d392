import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { mkdir } from 'node:fs/promises';
import { InjectConfig, type ConfigOf, ingestConfig } from '@lib/config';
import { withTimeout } from '@lib/timing';
import { OrphanSessionSweeper } from './publish/orphan-session-sweeper';
import { PublishLockService } from './publish/publish-lock.service';
import { PublishManager } from './publish/publish-manager.service';
import { PushIngestService } from './push/push-ingest.service';
import { RtmpIngestServer } from './rtmp/rtmp-server.service';
import { SpoolRecovery } from './segments/spool-recovery.service';

/**
 * Start and stop of the ingest listeners, in one place so the order is explicit.
 * Shutdown (SIGTERM) runs in onModuleDestroy, before Nest closes the HTTP server,
 * Redis, the queue and the database: stop accepting publishes and pushes, end the
 * live publishes (each flushes its last segment), wait for their segments to be
 * stored and enqueued (at most INGEST_SHUTDOWN_GRACE_MS), then close sessions.
 * Start also cleans up after a process that died without that shutdown: the sessions and
 * segments it left in the spool (SpoolRecovery, in the background so publishing starts at
 * once), and, every publish-lock TTL, sessions whose publisher no ingest holds any more
 * (OrphanSessionSweeper).
 */
@Injectable()
export class IngestLifecycle implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Ingest');
  private recovering?: Promise<unknown>;
  private sweeping?: NodeJS.Timeout;

  constructor(
    private readonly rtmp: RtmpIngestServer,
    private readonly push: PushIngestService,
    private readonly publishes: PublishManager,
    private readonly spool: SpoolRecovery,
    private readonly orphans: OrphanSessionSweeper,
    private readonly lock: PublishLockService,
    @InjectConfig(ingestConfig) private readonly ingest: ConfigOf<typeof ingestConfig>,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await mkdir(this.ingest.spoolDir, { recursive: true });
    // Listed before the listeners open: every directory in the spool now is a dead process's.
    const leftBehind = await this.spool.leftBehind();
    this.recovering = this.spool.recover(leftBehind);
    this.sweeping = setInterval(() => void this.sweepOrphans(), this.lock.ttlMs);
    void this.sweepOrphans();
    await this.rtmp.listen();
  }

  private async sweepOrphans(): Promise<void> {
    try {
      await this.orphans.sweep();
    } catch (err) {
      // Redis or the database away for a moment: the next sweep tries again.
      this.logger.debug({ err: (err as Error).message }, 'orphan session sweep failed');
    }
  }

  async onModuleDestroy(): Promise<void> {
    const live = this.publishes.count;
    this.logger.log({ event: 'shutdown', livePublishes: live }, `shutting down: ending ${live} live publish(es)`);
    clearInterval(this.sweeping);
    this.rtmp.stopAccepting();
    this.push.stopAccepting();
    this.publishes.stopAll('ingest shutting down');
    await this.publishes.drain(this.ingest.shutdownGraceMs);
    this.spool.abort('ingest shut down before the recovered segment could be stored and enqueued');
    await withTimeout(this.recovering ?? Promise.resolve(), 5000, 'spool recovery').catch(() => undefined);
    this.rtmp.closeAll();
    this.logger.log({ event: 'shutdown-complete' }, 'ingest stopped accepting and ended every publish');
  }
}
