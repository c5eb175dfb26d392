import type { ApiClient } from './api-client.js';
import type { QueueSummary } from './api-types.js';
import { button, byId, el, fillTable, row } from './dom.js';
import type { View } from './view.js';

/** The queues with their job counts, and pause / resume / retry-failed. */
export class QueuesView implements View {
  readonly section = 'queues-view';

  constructor(private readonly api: ApiClient) {}

  async render(): Promise<void> {
    const queues = await this.api.request<QueueSummary[]>('/api/queues');
    fillTable(
      byId<HTMLTableElement>('queues'),
      queues.map((q) => this.queueRow(q)),
    );
  }

  private queueRow(q: QueueSummary): HTMLTableRowElement {
    const actions = el('span');
    const toggle: [string, string] = q.paused ? ['Resume', 'resume'] : ['Pause', 'pause'];
    for (const [label, action] of [toggle, ['Retry failed', 'retry-failed']]) {
      actions.appendChild(button(label, () => void this.act(q.name, action)));
    }
    const k = q.counts;
    return row([q.name, k.waiting, k.active, k.delayed, k.failed, k.completed, q.paused ? 'paused' : 'running', actions]);
  }

  private async act(queue: string, action: string): Promise<void> {
    await this.api.post(`/api/queues/${encodeURIComponent(queue)}/${action}`);
    await this.render();
  }
}
