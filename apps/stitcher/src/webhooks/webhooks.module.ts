import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { DatabaseModule } from '@lib/database';
import { WEBHOOK_DELIVERY_QUEUE } from '@lib/queue';
import { WebhookEndpointsModule } from '@lib/webhooks';
import { SESSION_LIFECYCLE } from '../republish/session-lifecycle';
import { LifecycleChannelSubscriber } from './lifecycle-channel.subscriber';
import { LifecycleDispatcher } from './lifecycle-dispatcher.service';
import { StreamLifecycleReporter } from './stream-lifecycle-reporter';
import { WebhookDeliveryProcessor } from './webhook-delivery.processor';

/**
 * Lifecycle webhooks: events from republishing (SESSION_LIFECYCLE) and from the lifecycle
 * channel become deliveries on the `webhook-delivery` queue, which every stitcher copy consumes.
 * In the stitcher rather than the worker: the stitcher is where streams start and go idle, and
 * slow receivers must never take a worker's slots from live segments with their seconds-long
 * deadlines (the worker's lock and concurrency are tuned for those).
 */
@Module({
  imports: [DatabaseModule, WebhookEndpointsModule, BullModule.registerQueue({ name: WEBHOOK_DELIVERY_QUEUE })],
  providers: [
    LifecycleDispatcher,
    StreamLifecycleReporter,
    { provide: SESSION_LIFECYCLE, useExisting: StreamLifecycleReporter },
    WebhookDeliveryProcessor,
    LifecycleChannelSubscriber,
  ],
  exports: [SESSION_LIFECYCLE, LifecycleDispatcher, WebhookEndpointsModule, BullModule],
})
export class WebhooksModule {}
