import { Injectable } from '@nestjs/common';
import { DataSource, type Repository } from 'typeorm';
import { WebhookEndpointEntity } from '../entities';

/** The webhook endpoints (written through the webhooks library, read by the stitcher's delivery). */
@Injectable()
export class WebhookEndpointRepository {
  private readonly rows: Repository<WebhookEndpointEntity>;

  constructor(ds: DataSource) {
    this.rows = ds.getRepository(WebhookEndpointEntity);
  }

  async insert(endpoint: WebhookEndpointEntity): Promise<void> {
    await this.rows.insert(endpoint);
  }

  async save(endpoint: WebhookEndpointEntity): Promise<void> {
    await this.rows.save(endpoint);
  }

  get(id: string): Promise<WebhookEndpointEntity | null> {
    return this.rows.findOneBy({ id });
  }

  /** Oldest first, `offset` rows skipped, at most `limit`. */
  list(page: { limit: number; offset: number }): Promise<WebhookEndpointEntity[]> {
    return this.rows.find({ order: { createdAt: 'ASC', id: 'ASC' }, skip: page.offset, take: page.limit });
  }

  /** Enabled endpoints that want `eventType` (few rows: filtered here, portable across both databases). */
  async subscribedTo(eventType: string): Promise<WebhookEndpointEntity[]> {
    const rows = await this.rows.findBy({ enabled: true });
    return rows.filter((r) => r.events.includes(eventType));
  }

  /** Whether it existed. Its delivery log goes with it. */
  async delete(id: string): Promise<boolean> {
    return this.rows.manager.transaction(async (m) => {
      await m.createQueryBuilder().delete().from('webhook_deliveries').where('endpoint_id = :id', { id }).execute();
      const result = await m.getRepository(WebhookEndpointEntity).delete({ id });
      return (result.affected ?? 0) > 0;
    });
  }
}
