import { Module } from '@nestjs/common';
import { livepeerConfig } from '@lib/config';
import { DatabaseModule } from '@lib/database';
import { StorageModule } from '@lib/storage';
import { LADDER_CHECK, LivepeerLadderCheck } from './ladder-check';
import { StreamEventsPublisher } from './stream-events.publisher';
import { streamUrlSettingsFromEnv } from './stream-urls';
import { STREAM_URL_SETTINGS, StreamsService } from './streams.service';

/**
 * StreamsService for any app (ingest, stitcher) or the CLI. Reads the URL and Livepeer settings
 * itself, so an app does not have to list the ingest, stitcher or livepeer namespaces.
 */
@Module({
  imports: [DatabaseModule, StorageModule],
  providers: [
    StreamsService,
    StreamEventsPublisher,
    { provide: STREAM_URL_SETTINGS, useFactory: () => streamUrlSettingsFromEnv() },
    { provide: LADDER_CHECK, useFactory: () => new LivepeerLadderCheck(livepeerConfig.load()) },
  ],
  exports: [StreamsService],
})
export class StreamsModule {}
