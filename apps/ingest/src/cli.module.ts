import { Module } from '@nestjs/common';
import { AppConfigModule, commonConfig, databaseConfig, ingestConfig, redisConfig, s3Config, stitcherConfig } from '@lib/config';
import { DatabaseModule } from '@lib/database';
import { QueueModule } from '@lib/queue';
import { RecordingsModule, StreamsModule } from '@lib/streams';

/** What the CLI needs: the database and StreamsService (Redis only to announce a disabled stream). */
@Module({
  imports: [
    AppConfigModule.forRoot([commonConfig, databaseConfig, redisConfig, ingestConfig, stitcherConfig]),
    DatabaseModule,
    StreamsModule,
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
