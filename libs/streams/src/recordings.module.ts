import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { DatabaseModule } from '@lib/database';
import { RECORDING_EXPORT_QUEUE } from '@lib/queue';
import { StorageModule } from '@lib/storage';
import { RECORDING_URL_SETTINGS, RecordingsService } from './recordings.service';
import { streamUrlSettingsFromEnv } from './stream-urls';

/**
 * RecordingsService for the stitcher's admin API and the CLI: the database, the bucket and the
 * export queue (the app provides QueueModule.forRoot for the Redis connection).
 */
@Module({
  imports: [DatabaseModule, StorageModule, BullModule.registerQueue({ name: RECORDING_EXPORT_QUEUE })],
  providers: [RecordingsService, { provide: RECORDING_URL_SETTINGS, useFactory: () => streamUrlSettingsFromEnv() }],
  exports: [RecordingsService, BullModule],
})
export class RecordingsModule {}
