import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { DatabaseModule } from '@lib/database';
import { SEGMENT_UPLOAD_QUEUE } from '@lib/queue';
import { StorageModule } from '@lib/storage';
import { LeaseService } from '../lease/lease.service';
import { BroadcasterHosts } from '../upstream/broadcaster-hosts.service';
import { livepeerClientProvider } from '../upstream/livepeer-client.provider';
import { UpstreamClient } from '../upstream/upstream.client';
import { StitcherCoordinator } from './coordinator.service';
import { DeferredDeletes } from './deferred-deletes.service';
import { RepublishContext } from './republish-context';
import { RepublishMetrics } from './republish.metrics';
import { SessionDirectory } from './session-directory.service';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { UploadRepush } from './upload-repush';
import { LiveThumbnails } from '../recordings/live-thumbnails';
import { RecordingFinalizer } from '../recordings/recording-finalizer';
import { RecordingWriter } from '../recordings/recording-writer';
import { StitcherStreamObserver } from '../recordings/stitcher-stream-observer';
import { STREAM_OBSERVER } from './stream-observer';

/**
 * Republishing: live sessions -> upstream playlists and segments -> the relay's HLS in the object
 * store. It registers the stitcher's one handle on the upload queue (a lost segment is pushed again
 * through it), which the admin API's queue controls use too.
 */
@Module({
  imports: [DatabaseModule, StorageModule, WebhooksModule, BullModule.registerQueue({ name: SEGMENT_UPLOAD_QUEUE })],
  providers: [
    livepeerClientProvider,
    BroadcasterHosts,
    UpstreamClient,
    RepublishMetrics,
    DeferredDeletes,
    UploadRepush,
    RepublishContext,
    LeaseService,
    SessionDirectory,
    StitcherCoordinator,
    // Recordings and thumbnails ride on the stream writers (apps/stitcher/src/recordings).
    RecordingFinalizer,
    RecordingWriter,
    LiveThumbnails,
    { provide: STREAM_OBSERVER, useClass: StitcherStreamObserver },
  ],
  exports: [livepeerClientProvider, StitcherCoordinator, LeaseService, BullModule, RecordingFinalizer, LiveThumbnails],
})
export class RepublishModule {}
