import { BullModule, type RegisterQueueOptions } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { type ConfigOf, redisConfig } from '@lib/config';
import { SEGMENT_UPLOAD_QUEUE, reconnectDelay } from '@lib/queue';
import { UploadProducer } from './upload-producer.service';

/** The producer's queue options: its own connection that fails fast (see UploadProducer). */
export function uploadQueueOptions(redis: ConfigOf<typeof redisConfig>) {
  return {
    prefix: redis.prefix,
    connection: {
      url: redis.url,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      // Reconnect quickly: an outage of a few seconds must cost about that much.
      retryStrategy: reconnectDelay,
    },
  } satisfies RegisterQueueOptions;
}

/**
 * Ingest's side of the upload queue: the queue, on a connection of its own that fails fast
 * (see UploadProducer), and the producer. Nest closes the queue on shutdown.
 */
@Module({
  imports: [
    BullModule.registerQueueAsync({
      name: SEGMENT_UPLOAD_QUEUE,
      inject: [redisConfig.token],
      useFactory: uploadQueueOptions,
    }),
  ],
  providers: [UploadProducer],
  exports: [UploadProducer],
})
export class UploadQueueModule {}
