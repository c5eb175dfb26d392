import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/**
 * Webhook endpoints with their delivery log, and named admin API keys (hashed). Schema builders
 * and portable types only, so the one migration runs on PostgreSQL and SQLite.
 */
const str = (name: string, length: number, nullable = false) => ({ name, type: 'varchar', length: String(length), isNullable: nullable });
const ms = (name: string, nullable = false) => ({ name, type: 'bigint', isNullable: nullable });
const text = (name: string, nullable = false) => ({ name, type: 'text', isNullable: nullable });

export class WebhooksAndApiKeys1764600000000 implements MigrationInterface {
  name = 'WebhooksAndApiKeys1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'webhook_endpoints',
        columns: [
          { ...str('id', 36), isPrimary: true },
          str('name', 200),
          str('url', 2048),
          text('events'),
          str('secret', 128),
          { name: 'enabled', type: 'boolean', default: true },
          ms('created_at'),
          ms('updated_at'),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'webhook_deliveries',
        columns: [
          { ...str('id', 36), isPrimary: true },
          str('endpoint_id', 36),
          str('event_id', 128),
          str('event_type', 64),
          str('stream_id', 36),
          ms('sequence'),
          text('body'),
          str('status', 16),
          { name: 'attempts', type: 'integer', default: 0 },
          { name: 'response_status', type: 'integer', isNullable: true },
          { name: 'latency_ms', type: 'integer', isNullable: true },
          text('response_snippet', true),
          text('error', true),
          ms('created_at'),
          ms('updated_at'),
          ms('delivered_at', true),
        ],
        indices: [
          { name: 'ux_webhook_deliveries_event_endpoint', columnNames: ['event_id', 'endpoint_id'], isUnique: true },
          { name: 'ix_webhook_deliveries_endpoint_created', columnNames: ['endpoint_id', 'created_at'] },
          { name: 'ix_webhook_deliveries_stream', columnNames: ['stream_id'] },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'api_keys',
        columns: [
          { ...str('id', 36), isPrimary: true },
          str('name', 200),
          str('scope', 16),
          str('key_hash', 64),
          str('prefix', 16),
          ms('created_at'),
          ms('last_used_at', true),
          ms('revoked_at', true),
        ],
        indices: [{ name: 'ux_api_keys_key_hash', columnNames: ['key_hash'], isUnique: true }],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('api_keys');
    await q.dropTable('webhook_deliveries');
    await q.dropTable('webhook_endpoints');
  }
}
