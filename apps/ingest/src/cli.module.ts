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
import { StreamsModule } from '@lib/streams';
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
