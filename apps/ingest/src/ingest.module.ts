import { Module } from '@nestjs/common';
import { type ConfigOf, livepeerConfig } from '@lib/config';
import { DatabaseModule } from '@lib/database';
import { LivepeerApiClient } from '@lib/livepeer';
import { StorageModule } from '@lib/storage';
import { StreamsModule } from '@lib/streams';
import { AdmissionService } from './admission/admission.service';
import { LoadReader } from './admission/load-reader';
import { StreamKeyGuard } from './auth/stream-key-guard.service';
import { IngestLifecycle } from './ingest-lifecycle.service';
import { IngestMetrics } from './ingest-metrics';
import { OrphanSessionSweeper } from './publish/orphan-session-sweeper';
import { PublishLockService } from './publish/publish-lock.service';
import { PublishManager } from './publish/publish-manager.service';
import { SessionRecorder } from './publish/session-recorder.service';
import { PushController } from './push/push.controller';
import { PushIngestService } from './push/push-ingest.service';
import { RtmpIngestServer } from './rtmp/rtmp-server.service';
import { SegmentShipperFactory } from './segments/segment-shipper';
import { SpoolRecovery } from './segments/spool-recovery.service';
import { UploadQueueModule } from './segments/upload-queue.module';

/** Publishing (RTMP, HTTP push), sessions, segmenting and hand-off to the upload queue. */
@Module({
  imports: [DatabaseModule, StorageModule, StreamsModule, UploadQueueModule],
  controllers: [PushController],
  providers: [
    IngestMetrics,
    SegmentShipperFactory,
    SessionRecorder,
    PublishLockService,
    LoadReader,
    AdmissionService,
    PublishManager,
    StreamKeyGuard,
    RtmpIngestServer,
    PushIngestService,
    SpoolRecovery,
    OrphanSessionSweeper,
    IngestLifecycle,
    {
      provide: LivepeerApiClient,
      inject: [livepeerConfig.token],
      useFactory: (livepeer: ConfigOf<typeof livepeerConfig>) =>
        new LivepeerApiClient({ apiUrl: livepeer.apiUrl, apiKey: livepeer.apiKey, userAgent: 'livepeer-relay-ingest', timeoutMs: 10_000 }),
    },
  ],
})
export class IngestModule {}
