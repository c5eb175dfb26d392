import { Module } from '@nestjs/common';
import { DatabaseModule } from '@lib/database';
import { RecordingsModule as RecordingsLibraryModule } from '@lib/streams';
import { RepublishModule } from '../republish/republish.module';
import { RecordingRetentionService } from './recording-retention.service';

/**
 * The stitcher's recordings besides what rides on the stream writers (RecordingWriter,
 * LiveThumbnails, RecordingFinalizer in RepublishModule): their retention. Playback is served
 * by VodController (HlsModule), the admin endpoints by AdminModule.
 */
@Module({
  imports: [DatabaseModule, RecordingsLibraryModule, RepublishModule],
  providers: [RecordingRetentionService],
})
export class StitcherRecordingsModule {}
