import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { BeforeApplicationShutdown, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { InjectConfig, webhooksConfig, type ConfigOf } from '@lib/config';
import { WebhookDeliveryRepository, WebhookEndpointRepository, type WebhookDeliveryEntity } from '@lib/database';
import { WEBHOOK_DELIVERY_QUEUE, parseWebhookDeliveryPayload, type WebhookDeliveryPayload } from '@lib/queue';
import { EVENT_TYPE_HEADER, IDEMPOTENCY_HEADER, RefusedHostError, SIGNATURE_HEADER, signatureHeader } from '@lib/webhooks';
import { WebhookSender } from './webhook-sender';

/** A delivery waiting for an earlier one of its stream to the same endpoint looks again after this. */
const ORDER_WAIT_MS = 500;

/**
 * The consumer of `webhook-delivery`: one attempt per run. A 2xx marks the delivery delivered;
 * anything else (status, timeout, connection error) is recorded and thrown, so BullMQ retries
 * with exponential backoff until WEBHOOK_MAX_ATTEMPTS; a refused host is recorded `refused` and
 * never retried. A delivery whose stream has an earlier delivery to the same endpoint still
 * pending waits for it (moved back to delayed, no attempt counted): per (endpoint, stream),
 * events arrive in the order they happened.
 */
@Processor(WEBHOOK_DELIVERY_QUEUE, { autorun: false })
export class WebhookDeliveryProcessor extends WorkerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WebhookDeliveryProcessor.name);
  private readonly sender: WebhookSender;
  private running?: Promise<void>;

  constructor(
    @InjectConfig(webhooksConfig) private readonly settings: ConfigOf<typeof webhooksConfig>,
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly endpoints: WebhookEndpointRepository,
  ) {
    super();
    this.sender = new WebhookSender(settings);
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.settings.concurrency;
    this.running = this.worker.run().catch((err: Error) => this.logger.error({ err: err.message }, 'webhook worker stopped'));
  }

  async process(job: Job<WebhookDeliveryPayload>, token?: string): Promise<{ status: number } | { skipped: string }> {
    let payload: WebhookDeliveryPayload;
    try {
      payload = parseWebhookDeliveryPayload(job.data);
    } catch (err) {
      throw new UnrecoverableError((err as Error).message);
    }
    const delivery = await this.deliveries.get(payload.deliveryId);
    if (!delivery) return { skipped: 'delivery no longer logged (endpoint deleted)' };
    if (delivery.status !== 'pending') return { skipped: `already ${delivery.status}` };
    if (await this.deliveries.earlierPending(delivery)) {
      await job.moveToDelayed(Date.now() + ORDER_WAIT_MS, token);
      throw new DelayedError();
    }
    const endpoint = await this.endpoints.get(delivery.endpointId);
    if (!endpoint?.enabled) {
      await this.deliveries.attempted(delivery.id, 'failed', outcome({ error: 'endpoint disabled' }));
      return { skipped: 'endpoint disabled' };
    }
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    try {
      const result = await this.sender.send(endpoint.url, delivery.body, headersOf(delivery, endpoint.secret));
      const ok = result.status >= 200 && result.status < 300;
      const status = ok ? 'delivered' : lastAttempt ? 'failed' : 'pending';
      await this.deliveries.attempted(
        delivery.id,
        status,
        outcome({ responseStatus: result.status, latencyMs: result.latencyMs, responseSnippet: result.snippet }),
      );
      if (!ok) throw new Error(`receiver answered ${result.status}`);
      return { status: result.status };
    } catch (err) {
      if (err instanceof RefusedHostError) {
        await this.deliveries.attempted(delivery.id, 'refused', outcome({ error: err.message }));
        this.logger.warn({ deliveryId: delivery.id, endpointId: endpoint.id, err: err.message }, 'webhook delivery refused');
        throw new UnrecoverableError(err.message);
      }
      const message = (err as Error).message;
      if (!message.startsWith('receiver answered'))
        await this.deliveries.attempted(delivery.id, lastAttempt ? 'failed' : 'pending', outcome({ error: message }));
      throw err;
    }
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job<WebhookDeliveryPayload> | undefined, err: Error): void {
    if (!job) return;
    this.logger.warn({ jobId: job.id, attemptsMade: job.attemptsMade, err: err.message }, 'webhook delivery attempt failed');
  }

  @OnWorkerEvent('error')
  onError(err: Error): void {
    this.logger.error({ err: err.message }, 'webhook queue connection error');
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (!this.running) return;
    await this.worker.close();
    await this.running;
    await this.sender.close();
  }
}

/** Signature (over this attempt's time and the body), event id and type; the secret itself is never sent or logged. */
function headersOf(delivery: WebhookDeliveryEntity, secret: string): Record<string, string> {
  return {
    [SIGNATURE_HEADER]: signatureHeader(secret, delivery.body, Math.floor(Date.now() / 1000)),
    [IDEMPOTENCY_HEADER]: delivery.eventId,
    [EVENT_TYPE_HEADER]: delivery.eventType,
  };
}

function outcome(fields: Partial<Pick<WebhookDeliveryEntity, 'responseStatus' | 'latencyMs' | 'responseSnippet' | 'error'>>) {
  return { responseStatus: null, latencyMs: null, responseSnippet: null, error: null, ...fields };
}
