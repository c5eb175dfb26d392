import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMs } from '../columns';

/** Where lifecycle events are delivered: a URL, the event types it wants, and the secret its bodies are signed with. */
@Entity({ name: 'webhook_endpoints' })
export class WebhookEndpointEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 2048 })
  url!: string;

  /** Lifecycle event types (`stream.started`...); never empty. */
  @Column({ type: 'simple-json' })
  events!: string[];

  /**
   * HMAC-SHA256 key of the signatures. Kept as is (signing needs it); the API and the CLI show
   * it once, at creation or rotation, and it is never logged.
   */
  @Column({ type: 'varchar', length: 128 })
  secret!: string;

  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt!: number;

  @Column({ name: 'updated_at', type: 'bigint', transformer: epochMs })
  updatedAt!: number;
}
