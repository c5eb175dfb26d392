import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { mkdir } from 'node:fs/promises';
import { InjectConfig, type ConfigOf, ingestConfig } from '@lib/config';
import { PublishManager } from './publish/publish-manager.service';
import { PushIngestService } from './push/push-ingest.service';
import { RtmpIngestServer } from './rtmp/rtmp-server.service';

/**
 * Start and stop of the ingest listeners, in one place so the order is explicit.
 * Shutdown (SIGTERM) runs in onModuleDestroy, before Nest closes the HTTP server,
 * Redis, the queue and the database: stop accepting publishes and pushes, end the
 * live publishes (each flushes its last segment), wait for their segments to be
 * stored and enqueued (at most INGEST_SHUTDOWN_GRACE_MS), then close sessions.
 */
@Injectable()
export class IngestLifecycle implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Ingest');

  constructor(
    private readonly rtmp: RtmpIngestServer,
    private readonly push: PushIngestService,
    private readonly publishes: PublishManager,
    @InjectConfig(ingestConfig) private readonly ingest: ConfigOf<typeof ingestConfig>,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await mkdir(this.ingest.spoolDir, { recursive: true });
    await this.rtmp.listen();
  }

  async onModuleDestroy(): Promise<void> {
    const live = this.publishes.count;
    this.logger.log({ event: 'shutdown', livePublishes: live }, `shutting down: ending ${live} live publish(es)`);
    this.rtmp.stopAccepting();
    this.push.stopAccepting();
    this.publishes.stopAll('ingest shutting down');
    await this.publishes.drain(this.ingest.shutdownGraceMs);
    this.rtmp.closeAll();
    this.logger.log({ event: 'shutdown-complete' }, 'ingest stopped accepting and ended every publish');
  }
}
