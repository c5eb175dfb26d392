import { Injectable } from '@nestjs/common';
import { DataSource, In, LessThan, type Repository } from 'typeorm';
import { WebhookDeliveryEntity, type WebhookDeliveryStatus } from '../entities';

export type DeliveryOutcome = Pick<WebhookDeliveryEntity, 'responseStatus' | 'latencyMs' | 'responseSnippet' | 'error'>;

/** The delivery log: one row per (event, endpoint), updated after every attempt. */
@Injectable()
export class WebhookDeliveryRepository {
  private readonly rows: Repository<WebhookDeliveryEntity>;

  constructor(ds: DataSource) {
    this.rows = ds.getRepository(WebhookDeliveryEntity);
  }

  /** false when the (event, endpoint) pair is already logged: the event was reported before (a takeover, a repeat). */
  async insertOnce(delivery: WebhookDeliveryEntity): Promise<boolean> {
    await this.rows.createQueryBuilder().insert().into(WebhookDeliveryEntity).values(delivery).orIgnore().execute();
    // The row's id is new: it exists only when this insert was not ignored (portable across both drivers).
    return this.rows.existsBy({ id: delivery.id });
  }

  get(id: string): Promise<WebhookDeliveryEntity | null> {
    return this.rows.findOneBy({ id });
  }

  /** Newest first, filtered by status and event type. */
  list(filter: {
    endpointId: string;
    status?: WebhookDeliveryStatus;
    eventType?: string;
    limit: number;
    offset: number;
  }): Promise<WebhookDeliveryEntity[]> {
    const where: Record<string, unknown> = { endpointId: filter.endpointId };
    if (filter.status) where.status = filter.status;
    if (filter.eventType) where.eventType = filter.eventType;
    return this.rows.find({ where, order: { sequence: 'DESC', id: 'DESC' }, skip: filter.offset, take: filter.limit });
  }

  /** An earlier delivery of the same (endpoint, stream) still pending: this one waits for it (order per stream). */
  async earlierPending(delivery: WebhookDeliveryEntity): Promise<boolean> {
    return this.rows.existsBy({
      endpointId: delivery.endpointId,
      streamId: delivery.streamId,
      status: 'pending',
      sequence: LessThan(delivery.sequence),
    });
  }

  async attempted(id: string, status: WebhookDeliveryStatus, outcome: DeliveryOutcome, now = Date.now()): Promise<void> {
    await this.rows
      .createQueryBuilder()
      .update(WebhookDeliveryEntity)
      .set({ ...outcome, status, updatedAt: now, attempts: () => 'attempts + 1', ...(status === 'delivered' ? { deliveredAt: now } : {}) })
      .where('id = :id', { id })
      .execute();
  }

  /** Back to pending for a resend (the log keeps the attempts made so far). */
  async reopen(id: string, now = Date.now()): Promise<void> {
    await this.rows.update({ id }, { status: 'pending', updatedAt: now });
  }

  async statusCounts(endpointIds: string[]): Promise<Map<string, Record<string, number>>> {
    const out = new Map<string, Record<string, number>>(endpointIds.map((id) => [id, {}]));
    if (endpointIds.length === 0) return out;
    const rows = await this.rows
      .createQueryBuilder('d')
      .select('d.endpoint_id', 'endpointId')
      .addSelect('d.status', 'status')
      .addSelect('COUNT(*)', 'n')
      .where({ endpointId: In(endpointIds) })
      .groupBy('d.endpoint_id')
      .addGroupBy('d.status')
      .getRawMany<{ endpointId: string; status: string; n: string | number }>();
    for (const r of rows) out.get(r.endpointId)![r.status] = Number(r.n);
    return out;
  }
}
