import { Module } from '@nestjs/common';
import { DatabaseModule } from '@lib/database';
import { RecordingsModule, StreamsModule } from '@lib/streams';
import { RepublishModule } from '../republish/republish.module';
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
import { StreamsController } from './streams.controller';

/** The REST admin API under /api (bearer ADMIN_TOKEN), documented at /docs. */
@Module({
  // The queue controls and the bull-board page read the upload queue.
  imports: [DatabaseModule, StreamsModule, RecordingsModule, RepublishModule],
  controllers: [
    StreamsController,
    PresetsController,
    SessionsController,
    BroadcastersController,
    QueuesController,
    EventsController,
    RecordingsController,
  ],
  providers: [
    AdminAuthenticator,
    AdminAuthGuard,
    SessionsQuery,
    BroadcastersQuery,
    HistoryQuery,
    OverviewQuery,
    OverviewFeed,
    EventTickets,
    QueueSampler,
  ],
})
export class AdminModule {}
