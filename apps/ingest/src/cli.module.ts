import { Module } from '@nestjs/common';
import { AppConfigModule, commonConfig, databaseConfig, ingestConfig, redisConfig, stitcherConfig } from '@lib/config';
import { DatabaseModule } from '@lib/database';
import { StreamsModule } from '@lib/streams';

/** What the CLI needs: the database and StreamsService (Redis only to announce a disabled stream). */
@Module({
  imports: [
    AppConfigModule.forRoot([commonConfig, databaseConfig, redisConfig, ingestConfig, stitcherConfig]),
    DatabaseModule,
    StreamsModule,
  ],
})
export class CliModule {}
