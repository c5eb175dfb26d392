import { Module } from '@nestjs/common';
import { AppConfigModule } from '@lib/config';
import { DatabaseModule, DatabaseProbe } from '@lib/database';
import { ObservabilityModule } from '@lib/observability';
import { QueueModule, RedisProbe } from '@lib/queue';
import { S3Probe, StorageModule } from '@lib/storage';
import { WORKER_SETTINGS } from './settings';
import { ExportModule } from './export/export.module';
import { UploadModule } from './upload/upload.module';

@Module({
  imports: [
    AppConfigModule.forRoot(WORKER_SETTINGS),
    ObservabilityModule.forRoot('worker', [RedisProbe, S3Probe, DatabaseProbe]),
    QueueModule.forRoot(),
    StorageModule,
    DatabaseModule,
    UploadModule,
    ExportModule,
  ],
})
export class AppModule {}
