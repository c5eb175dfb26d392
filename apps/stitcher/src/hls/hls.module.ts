import { Module } from '@nestjs/common';
import { StorageModule } from '@lib/storage';
import { VodController } from '../recordings/vod.controller';
import { HlsController } from './hls.controller';

/** GET /hls/...: the republished stream for players and CDNs; GET /vod/...: recordings. */
@Module({ imports: [StorageModule], controllers: [HlsController, VodController] })
export class HlsModule {}
