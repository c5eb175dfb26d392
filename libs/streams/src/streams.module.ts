import { Module } from '@nestjs/common';
import { DatabaseModule } from '@lib/database';
import { StorageModule } from '@lib/storage';
import { StreamEventsPublisher } from './stream-events.publisher';
import { streamUrlSettingsFromEnv } from './stream-urls';
import { STREAM_URL_SETTINGS, StreamsService } from './streams.service';

/**
 * StreamsService for any app (ingest, stitcher) or the CLI. Reads the URL settings
 * itself, so an app does not have to list the ingest or stitcher namespaces.
 */
@Module({
  imports: [DatabaseModule, StorageModule],
  providers: [StreamsService, StreamEventsPublisher, { provide: STREAM_URL_SETTINGS, useFactory: () => streamUrlSettingsFromEnv() }],
  exports: [StreamsService],
})
export class StreamsModule {}
