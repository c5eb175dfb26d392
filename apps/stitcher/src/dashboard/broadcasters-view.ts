import type { ApiClient } from './api-client.js';
import type { BroadcasterHistory, BroadcasterList } from './api-types.js';
import { TimeChart } from './charts.js';
import { byId, el, fillTable, row } from './dom.js';
import { mountSection, type View } from './view.js';

/** Every broadcaster the Livepeer API lists, with its health and push record, and its last hour in charts. */
export class BroadcastersView implements View {
  readonly section = mountSection(
    'broadcasters-view',
    'Broadcasters',
    `<p id="broadcasters-error" class="error"></p>
     <div class="table-wrap"><table id="broadcasters">
       <caption class="visually-hidden">Broadcasters and their health</caption>
       <thead><tr><th scope="col">Address</th><th scope="col">Health</th><th scope="col">Success rate</th><th scope="col">Mean round trip</th><th scope="col">Last error</th><th scope="col">Live sessions</th></tr></thead>
       <tbody></tbody>
     </table></div>
     <div class="chart-grid" id="broadcaster-charts"></div>`,
  );
  readonly refreshMs = 5000;
  private readonly success = new TimeChart('chart-broadcaster-success', 'Success rate per broadcaster (per minute)');
  private readonly roundTrip = new TimeChart('chart-broadcaster-round-trip', 'Mean round trip per broadcaster (per minute)');

  constructor(private readonly api: ApiClient) {
    byId('broadcaster-charts').append(this.success.figure, this.roundTrip.figure);
  }

  async render(): Promise<void> {
    const [{ broadcasters, apiError }, history] = await Promise.all([
      this.api.request<BroadcasterList>('/api/broadcasters'),
      this.api.request<BroadcasterHistory>('/api/broadcasters/history?minutes=60'),
    ]);
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
    const series = history.broadcasters;
    this.success.setData(
      series.map((b) => ({ label: b.address, unit: '%' })),
      history.bucketStart,
      series.map((b) => b.successRate.map((rate) => (rate === null ? null : rate * 100))),
    );
    this.roundTrip.setData(
      series.map((b) => ({ label: b.address, unit: 'ms' })),
      history.bucketStart,
      series.map((b) => b.meanRoundTripMs),
    );
  }
}
