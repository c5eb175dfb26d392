import { Module } from '@nestjs/common';
import { AppConfigModule } from '@lib/config';
import { DatabaseModule, DatabaseProbe } from '@lib/database';
import { ObservabilityModule } from '@lib/observability';
import { QueueModule, RedisProbe } from '@lib/queue';
import { S3Probe, StorageModule } from '@lib/storage';
import { IngestModule } from './ingest.module';
import { INGEST_SETTINGS } from './settings';

@Module({
  imports: [
    AppConfigModule.forRoot(INGEST_SETTINGS),
    ObservabilityModule.forRoot('ingest', [RedisProbe, S3Probe, DatabaseProbe]),
    QueueModule.forRoot(),
    StorageModule,
    DatabaseModule,
    IngestModule,
  ],
})
export class AppModule {}
