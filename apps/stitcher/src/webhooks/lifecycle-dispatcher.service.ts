import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { InjectConfig, webhooksConfig, type ConfigOf } from '@lib/config';
import { WebhookDeliveryRepository, WebhookEndpointRepository } from '@lib/database';
import {
  DELIVER_WEBHOOK_JOB,
  WEBHOOK_DELIVERY_QUEUE,
  parseLifecycleEvent,
  webhookJobId,
  webhookJobOptions,
  type LifecycleEvent,
  type WebhookDeliveryPayload,
} from '@lib/queue';

/** Events of one millisecond keep the order they were dispatched in (the sequence's low digits). */
const SEQUENCE_SLOTS = 1000;

/**
 * Turns one lifecycle event into one delivery per subscribed endpoint: a delivery-log row
 * (unique per (event, endpoint), so an event reported twice, by a copy that took a stream over
 * or by every copy hearing the lifecycle channel, is delivered once per endpoint) and a job on
 * the webhook-delivery queue.
 */
@Injectable()
export class LifecycleDispatcher {
  private readonly logger = new Logger(LifecycleDispatcher.name);
  private counter = 0;

  constructor(
    @InjectConfig(webhooksConfig) private readonly settings: ConfigOf<typeof webhooksConfig>,
    private readonly endpoints: WebhookEndpointRepository,
    private readonly deliveries: WebhookDeliveryRepository,
    @InjectQueue(WEBHOOK_DELIVERY_QUEUE) private readonly queue: Queue<WebhookDeliveryPayload>,
  ) {}

  /** How many deliveries were queued (0 for an event already dispatched or nobody subscribed). */
  async dispatch(input: LifecycleEvent): Promise<number> {
    const event = parseLifecycleEvent(input);
    const body = JSON.stringify(event);
    const sequence = event.timestamp * SEQUENCE_SLOTS + (this.counter++ % SEQUENCE_SLOTS);
    let queued = 0;
    for (const endpoint of await this.endpoints.subscribedTo(event.type)) {
      const now = Date.now();
      const deliveryId = randomUUID();
      const fresh = await this.deliveries.insertOnce({
        id: deliveryId,
        endpointId: endpoint.id,
        eventId: event.id,
        eventType: event.type,
        streamId: event.streamId,
        sequence,
        body,
        status: 'pending',
        attempts: 0,
        responseStatus: null,
        latencyMs: null,
        responseSnippet: null,
        error: null,
        createdAt: now,
        updatedAt: now,
        deliveredAt: null,
      });
      if (!fresh) continue;
      await this.enqueue(deliveryId);
      queued++;
    }
    this.logger.log({ eventId: event.id, type: event.type, streamId: event.streamId, deliveries: queued }, 'lifecycle event dispatched');
    return queued;
  }

  /** A job for the delivery row: its first run, or (resend > 0) a new run with the same body and event id. */
  async enqueue(deliveryId: string, resend = 0): Promise<void> {
    await this.queue.add(
      DELIVER_WEBHOOK_JOB,
      { deliveryId },
      { ...webhookJobOptions(this.settings), jobId: webhookJobId(deliveryId, resend) },
    );
  }
}
