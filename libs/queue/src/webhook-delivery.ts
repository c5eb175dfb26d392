import type { JobsOptions } from 'bullmq';
import { z } from 'zod/v4';
import { parseWith } from './contract';

/**
 * The webhook delivery queue: one job per (lifecycle event, endpoint). The job names only the
 * delivery row (`webhook_deliveries`); the body, the endpoint and its secret are read from the
 * database when the job runs, so a secret never sits in Redis and every retry sends the same body.
 */
export const WEBHOOK_DELIVERY_QUEUE = 'webhook-delivery';
export const DELIVER_WEBHOOK_JOB = 'DeliverWebhook';

export const webhookDeliveryPayloadSchema = z.object({ deliveryId: z.string().uuid() });
export type WebhookDeliveryPayload = z.infer<typeof webhookDeliveryPayloadSchema>;

export function parseWebhookDeliveryPayload(data: unknown): WebhookDeliveryPayload {
  return parseWith(webhookDeliveryPayloadSchema, data, 'webhook delivery payload');
}

/** First run of a delivery; a resend adds its number, so it is a new job with the same body and event id. */
export function webhookJobId(deliveryId: string, resend = 0): string {
  return resend ? `${deliveryId}-resend-${resend}` : deliveryId;
}

/** Exponential backoff: `backoffMs`, 2x, 4x... for `attempts` tries (defaults reach hours: WEBHOOK_* settings). */
export function webhookJobOptions(settings: { maxAttempts: number; backoffMs: number }): JobsOptions {
  return {
    attempts: settings.maxAttempts,
    backoff: { type: 'exponential', delay: settings.backoffMs },
    removeOnComplete: { count: 1000 },
    removeOnFail: { count: 5000 },
  };
}
