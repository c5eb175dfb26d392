import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { DatabaseModule } from '@lib/database';
import { RECORDING_EXPORT_QUEUE } from '@lib/queue';
import { StorageModule } from '@lib/storage';
import { RecordingExportProcessor } from './recording-export.processor';
import { RecordingExporter } from './recording-exporter';

/** Consumes the recording-export queue: MP4 exports of recordings. */
@Module({
  imports: [DatabaseModule, StorageModule, BullModule.registerQueue({ name: RECORDING_EXPORT_QUEUE })],
  providers: [RecordingExporter, RecordingExportProcessor],
})
export class ExportModule {}
