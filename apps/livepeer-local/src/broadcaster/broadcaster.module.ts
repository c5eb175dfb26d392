import { Module } from '@nestjs/common';
import { AppConfigModule, commonConfig, livepeerLocalConfig } from '@lib/config';
import { ObservabilityModule } from '@lib/observability';
import { FaultsService } from './faults.service';
import { HlsController } from './hls.controller';
import { HookClient } from './hook.client';
import { PushController } from './push.controller';
import { PushService } from './push.service';
import { PushStatsService } from './push-stats.service';
import { SessionsService } from './sessions.service';
import { AdminController, BroadcasterStatus, LocalhostOnlyGuard, StatusController } from './status.controller';
import { TranscoderService } from './transcoder.service';

/** One go-livepeer-like broadcaster: push ingest, transcoding, HLS, status and fault injection. */
@Module({
  imports: [
    AppConfigModule.forRoot([commonConfig, livepeerLocalConfig]),
    ObservabilityModule.forRoot('livepeer-broadcaster'),
  ],
  controllers: [PushController, HlsController, StatusController, AdminController],
  providers: [
    FaultsService,
    PushStatsService,
    HookClient,
    SessionsService,
    TranscoderService,
    PushService,
    BroadcasterStatus,
    LocalhostOnlyGuard,
  ],
})
export class BroadcasterModule {}
