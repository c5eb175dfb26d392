import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { DatabaseModule } from '@lib/database';
import { SEGMENT_UPLOAD_QUEUE } from '@lib/queue';
import { StorageModule } from '@lib/storage';
import { BroadcasterAssignments } from '../broadcasters/assignment.service';
import { BroadcasterDirectory } from '../broadcasters/broadcaster-directory';
import { BroadcasterStats } from '../broadcasters/broadcaster-stats.service';
import { FallbackDelivery } from '../fallback/fallback-delivery';
import { FallbackMetrics } from '../fallback/fallback-metrics';
import { LocalTranscoder } from '../fallback/local-transcoder';
import { RenditionFetcher } from '../renditions/rendition-fetcher';
import { RenditionStore } from '../renditions/rendition-store';
import { SegmentAnnouncer } from '../renditions/segment-announcer';
import { SessionProfiles } from '../renditions/session-profiles';
import { BroadcasterUploader } from './broadcaster-uploader';
import { SegmentUploadProcessor } from './segment-upload.processor';
import { UploadClock, WallClock } from './upload-clock';
import { UploadJobRunner } from './upload-job.runner';
import { WorkerMetrics } from './worker-metrics';

/**
 * Consumes the upload queue: assignment, failover, pushes, the renditions of the push answers
 * (stored, announced), ledger, stats and metrics. The
 * queue is registered here, where it is used; @nestjs/bullmq builds the processor's Worker
 * from its connection and prefix (QueueModule's root config).
 */
@Module({
  imports: [DatabaseModule, StorageModule, BullModule.registerQueue({ name: SEGMENT_UPLOAD_QUEUE })],
  providers: [
    BroadcasterDirectory,
    BroadcasterAssignments,
    BroadcasterStats,
    BroadcasterUploader,
    WorkerMetrics,
    RenditionFetcher,
    SessionProfiles,
    RenditionStore,
    SegmentAnnouncer,
    LocalTranscoder,
    FallbackMetrics,
    FallbackDelivery,
    { provide: UploadClock, useClass: WallClock },
    UploadJobRunner,
    SegmentUploadProcessor,
  ],
})
export class UploadModule {}
