import { Module } from '@nestjs/common';
import { DatabaseModule } from '@lib/database';
import { StorageModule } from '@lib/storage';
import { BroadcasterAssignments } from '../broadcasters/assignment.service';
import { BroadcasterDirectory } from '../broadcasters/broadcaster-directory';
import { BroadcasterStats } from '../broadcasters/broadcaster-stats.service';
import { BroadcasterUploader } from './broadcaster-uploader';
import { SegmentUploadProcessor } from './segment-upload.processor';
import { UploadJobRunner } from './upload-job.runner';
import { WorkerMetrics } from './worker-metrics';

/** Consumes the upload queue: assignment, failover, pushes, ledger, stats and metrics. */
@Module({
  imports: [DatabaseModule, StorageModule],
  providers: [
    BroadcasterDirectory,
    BroadcasterAssignments,
    BroadcasterStats,
    BroadcasterUploader,
    WorkerMetrics,
    UploadJobRunner,
    SegmentUploadProcessor,
  ],
})
export class UploadModule {}
