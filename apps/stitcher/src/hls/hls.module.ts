import { Module } from '@nestjs/common';
import { StorageModule } from '@lib/storage';
import { HlsController } from './hls.controller';

/** GET /hls/...: the republished stream for players and CDNs. */
@Module({ imports: [StorageModule], controllers: [HlsController] })
export class HlsModule {}
