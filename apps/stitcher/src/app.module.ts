import { Module } from '@nestjs/common';
import { AppConfigModule } from '@lib/config';
import { DatabaseModule, DatabaseProbe } from '@lib/database';
import { ObservabilityModule } from '@lib/observability';
import { QueueModule, RedisProbe } from '@lib/queue';
import { S3Probe, StorageModule } from '@lib/storage';
import { AdminModule } from './admin/admin.module';
import { HlsModule } from './hls/hls.module';
import { StitcherRecordingsModule } from './recordings/recordings.module';
import { RepublishModule } from './republish/republish.module';
import { RetentionModule } from './retention/retention.module';
import { STITCHER_SETTINGS } from './settings';

@Module({
  imports: [
    AppConfigModule.forRoot(STITCHER_SETTINGS),
    ObservabilityModule.forRoot('stitcher', [RedisProbe, S3Probe, DatabaseProbe]),
    QueueModule.forRoot(),
    StorageModule,
    DatabaseModule,
    RepublishModule,
    RetentionModule,
    StitcherRecordingsModule,
    HlsModule,
    AdminModule,
  ],
})
export class AppModule {}
