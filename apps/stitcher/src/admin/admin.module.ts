import { Module } from '@nestjs/common';
import { DatabaseModule } from '@lib/database';
import { RecordingsModule, StreamsModule } from '@lib/streams';
import { RepublishModule } from '../republish/republish.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysService } from './api-keys.service';
import { AdminAuthGuard } from './admin-auth.guard';
import { AdminAuthenticator } from './admin-authenticator';
import { BroadcastersController } from './broadcasters.controller';
import { BroadcastersQuery } from './broadcasters.service';
import { EventTickets } from './event-tickets';
import { EventsController } from './events.controller';
import { HistoryQuery } from './history.service';
import { OverviewFeed, OverviewQuery } from './overview.service';
import { QueueSampler } from './queue-sampler';
import { SessionsController } from './sessions.controller';
import { SessionsQuery } from './sessions.service';
import { PresetsController } from './presets.controller';
import { QueuesController } from './queues.controller';
import { RecordingsController } from './recordings.controller';
import { StreamStatsQuery } from './stream-stats.service';
import { StreamsController } from './streams.controller';
import { WebhooksController } from './webhooks.controller';
import { TranscodeMetrics } from './transcode-metrics';

/** The REST admin API under /api (bearer ADMIN_TOKEN or an API key), documented at /docs. */
@Module({
  // The queue controls and the bull-board page read the upload queue.
  imports: [DatabaseModule, StreamsModule, RecordingsModule, RepublishModule, WebhooksModule],
  controllers: [
    StreamsController,
    PresetsController,
    SessionsController,
    BroadcastersController,
    QueuesController,
    EventsController,
    RecordingsController,
    WebhooksController,
    ApiKeysController,
  ],
  providers: [
    AdminAuthenticator,
    AdminAuthGuard,
    ApiKeysService,
    SessionsQuery,
    BroadcastersQuery,
    StreamStatsQuery,
    HistoryQuery,
    OverviewQuery,
    OverviewFeed,
    EventTickets,
    QueueSampler,
    TranscodeMetrics,
  ],
})
export class AdminModule {}
