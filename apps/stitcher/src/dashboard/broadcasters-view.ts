import type { ApiClient } from './api-client.js';
import type { BroadcasterList } from './api-types.js';
import { byId, el, fillTable, row } from './dom.js';
import type { View } from './view.js';

/** Every broadcaster the Livepeer API lists, with its health and push record. */
export class BroadcastersView implements View {
  readonly section = 'broadcasters-view';

  constructor(private readonly api: ApiClient) {}

  async render(): Promise<void> {
    const { broadcasters, apiError } = await this.api.request<BroadcasterList>('/api/broadcasters');
    byId('broadcasters-error').textContent = apiError ? `Livepeer API: ${apiError}` : '';
    fillTable(
      byId<HTMLTableElement>('broadcasters'),
      broadcasters.map((b) =>
        row([
          b.address,
          el('span', b.health, `health ${b.health}`),
          b.successRate === null ? '' : `${(b.successRate * 100).toFixed(1)} % of ${b.successes + b.failures}`,
          b.meanRoundTripMs === null ? '' : `${b.meanRoundTripMs} ms`,
          b.lastError ?? '',
          b.assignments.length,
        ]),
      ),
    );
  }
}
