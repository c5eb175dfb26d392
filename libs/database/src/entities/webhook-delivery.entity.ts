import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '../columns';

export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'delivered', 'failed', 'refused'] as const;
/**
 * pending: queued or between retries; delivered: a 2xx answer; failed: every attempt failed;
 * refused: the endpoint's host or address is not allowed (WEBHOOK_ALLOWED_HOSTS), never retried.
 */
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

/** One lifecycle event for one endpoint: the body sent (identical on every attempt) and how the last attempt went. */
@Entity({ name: 'webhook_deliveries' })
@Index(['eventId', 'endpointId'], { unique: true })
@Index(['endpointId', 'createdAt'])
export class WebhookDeliveryEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'endpoint_id', type: 'varchar', length: 36 })
  endpointId!: string;

  @Column({ name: 'event_id', type: 'varchar', length: 128 })
  eventId!: string;

  @Column({ name: 'event_type', type: 'varchar', length: 64 })
  eventType!: string;

  /** Deliveries of one (endpoint, stream) go out in event order (`sequence`). */
  @Index()
  @Column({ name: 'stream_id', type: 'varchar', length: 36 })
  streamId!: string;

  /** The event's timestamp then a per-process counter: the order deliveries of one stream keep. */
  @Column({ type: 'bigint', transformer: epochMs })
  sequence!: number;

  /** The JSON body, exactly as signed and sent. */
  @Column({ type: 'text' })
  body!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: WebhookDeliveryStatus;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'response_status', type: 'integer', nullable: true })
  responseStatus!: number | null;

  @Column({ name: 'latency_ms', type: 'integer', nullable: true })
  latencyMs!: number | null;

  /** The start of the receiver's answer (at most 1 KiB), for the delivery log. */
  @Column({ name: 'response_snippet', type: 'text', nullable: true })
  responseSnippet!: string | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt!: number;

  @Column({ name: 'updated_at', type: 'bigint', transformer: epochMs })
  updatedAt!: number;

  @Column({ name: 'delivered_at', type: 'bigint', transformer: epochMs, nullable: true })
  deliveredAt!: number | null;
}
