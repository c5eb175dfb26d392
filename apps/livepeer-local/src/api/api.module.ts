import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AppConfigModule } from '@lib/config';
import { LIVEPEER_LOCAL_SETTINGS } from '../settings';
import { ObservabilityModule } from '@lib/observability';
import { LivepeerErrorFilter } from './livepeer-error.filter';
import { ApiKeyGuard } from './api-key.guard';
import { BroadcasterController } from './broadcaster.controller';
import { BroadcasterRegistryService } from './broadcaster-registry.service';
import { BroadcasterSupervisorService } from './broadcaster-supervisor.service';
import { BroadcastersProbe } from './broadcasters.probe';
import { PlaybackController } from './playback.controller';
import { StreamController } from './stream.controller';
import { StreamService } from './stream.service';

/** The Livepeer API stand-in: streams, broadcaster list, stream hook, amalgamated playlists. */
@Module({
  imports: [AppConfigModule.forRoot(LIVEPEER_LOCAL_SETTINGS), ObservabilityModule.forRoot('livepeer-local', [BroadcastersProbe])],
  controllers: [StreamController, BroadcasterController, PlaybackController],
  providers: [
    StreamService,
    BroadcasterRegistryService,
    BroadcasterSupervisorService,
    BroadcastersProbe,
    ApiKeyGuard,
    { provide: APP_FILTER, useClass: LivepeerErrorFilter },
  ],
})
export class ApiModule {}
