import { Module } from '@nestjs/common';
import { AppConfigModule } from '@lib/config';
import { LIVEPEER_LOCAL_SETTINGS } from '../settings';
import { ObservabilityModule } from '@lib/observability';
import { BroadcasterAdminController } from './broadcaster-admin.controller';
import { BroadcasterHlsController } from './broadcaster-hls.controller';
import { BroadcasterPushController } from './broadcaster-push.controller';
import { BroadcasterSessionsService } from './broadcaster-sessions.service';
import { BroadcasterStatus } from './broadcaster-status';
import { FaultsService } from './faults.service';
import { HookClient } from './hook.client';
import { LocalhostOnlyGuard } from './localhost-only.guard';
import { PushStatsService } from './push-stats.service';
import { PushService } from './push.service';
import { StatusController } from './status.controller';
import { TranscoderService } from './transcoder.service';

/** One go-livepeer-like broadcaster: push ingest, transcoding, HLS, status and fault injection. */
@Module({
  imports: [AppConfigModule.forRoot(LIVEPEER_LOCAL_SETTINGS), ObservabilityModule.forRoot('livepeer-broadcaster')],
  controllers: [BroadcasterPushController, BroadcasterHlsController, StatusController, BroadcasterAdminController],
  providers: [
    FaultsService,
    PushStatsService,
    HookClient,
    BroadcasterSessionsService,
    TranscoderService,
    PushService,
    BroadcasterStatus,
    LocalhostOnlyGuard,
  ],
})
export class BroadcasterModule {}
