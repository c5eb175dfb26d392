import { Module } from '@nestjs/common';
import { DatabaseModule } from '@lib/database';
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
import { UploadRepush } from './upload-repush';

/** Republishing: live sessions -> upstream playlists and segments -> the relay's HLS in the object store. */
@Module({
  imports: [DatabaseModule, StorageModule],
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
  ],
  exports: [livepeerClientProvider, StitcherCoordinator, LeaseService],
})
export class RepublishModule {}
