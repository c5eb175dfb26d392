import { Module } from '@nestjs/common';
import {
  AppConfigModule,
  commonConfig,
  databaseConfig,
  ingestConfig,
  redisConfig,
  s3Config,
  stitcherConfig,
  webhooksConfig,
} from '@lib/config';
import { DatabaseModule } from '@lib/database';
import { QueueModule } from '@lib/queue';
import { RecordingsModule, StreamsModule } from '@lib/streams';
import { WebhookEndpointsModule } from '@lib/webhooks';

/** What the CLI needs: the database, StreamsService (Redis only to announce a disabled stream, S3 to delete one's objects) and webhook endpoints. */
@Module({
  imports: [
    AppConfigModule.forRoot([commonConfig, databaseConfig, redisConfig, s3Config, ingestConfig, stitcherConfig, webhooksConfig]),
    DatabaseModule,
    StreamsModule,
    WebhookEndpointsModule,
  ],
})
export class CliModule {}

/** The recordings commands also need the bucket (delete) and the export queue (Redis). */
@Module({
  imports: [
    AppConfigModule.forRoot([commonConfig, databaseConfig, redisConfig, ingestConfig, stitcherConfig, s3Config]),
    QueueModule.forRoot(),
    DatabaseModule,
    StreamsModule,
    RecordingsModule,
  ],
})
export class CliRecordingsModule {}
