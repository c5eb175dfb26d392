import type { ApiClient } from './api-client.js';
import type { QueueHistory, QueueSummary } from './api-types.js';
import { TimeChart } from './charts.js';
import { confirmAction } from './confirm.js';
import { button, byId, el, fillTable, row } from './dom.js';
import { act } from './notify.js';
import { mountSection, type View } from './view.js';

interface QueueAction {
  label: string;
  path: string;
  applies(q: QueueSummary): boolean;
  confirm?: string;
}

/** One entry per queue control of the API. */
const QUEUE_ACTIONS: QueueAction[] = [
  {
    label: 'Pause',
    path: 'pause',
    applies: (q) => !q.paused,
    confirm: 'Pause the queue? Workers finish their jobs and take no new ones: every live stream stops being transcoded.',
  },
  { label: 'Resume', path: 'resume', applies: (q) => q.paused },
  { label: 'Retry failed', path: 'retry-failed', applies: () => true },
];

/** The queues with their job counts and controls, and the upload queue's last hour in charts. */
export class QueuesView implements View {
  readonly section = mountSection(
    'queues-view',
    'Queues',
    `<div class="table-wrap"><table id="queues">
       <caption class="visually-hidden">Queues, their job counts and controls</caption>
       <thead><tr><th scope="col">Queue</th><th scope="col">Waiting</th><th scope="col">Active</th><th scope="col">Delayed</th><th scope="col">Failed</th><th scope="col">Completed</th><th scope="col">State</th><th scope="col">Actions</th></tr></thead>
       <tbody></tbody>
     </table></div>
     <p><a href="/api/queues/board/" target="_blank" rel="noopener">Open bull-board</a></p>
     <div class="chart-grid" id="queue-charts"></div>`,
  );
  readonly refreshMs = 2000;
  private readonly depth = new TimeChart('chart-queue-depth', 'Upload queue: waiting and active jobs');
  private readonly rate = new TimeChart('chart-queue-rate', 'Upload queue: jobs finished per second');

  constructor(private readonly api: ApiClient) {
    byId('queue-charts').append(this.depth.figure, this.rate.figure);
  }

  async render(): Promise<void> {
    const queues = await this.api.request<QueueSummary[]>('/api/queues');
    const focused = (document.activeElement as HTMLElement | null)?.getAttribute('aria-label');
    fillTable(
      byId<HTMLTableElement>('queues'),
      queues.map((q) => this.queueRow(q)),
    );
    if (focused)
      byId('queues')
        .querySelector<HTMLElement>(`[aria-label="${CSS.escape(focused)}"]`)
        ?.focus();
    const upload = queues[0];
    if (!upload) return;
    const { samples } = await this.api.request<QueueHistory>(`/api/queues/${encodeURIComponent(upload.name)}/history`);
    const at = samples.map((s) => s.at);
    this.depth.setData(
      [
        { label: 'Waiting', unit: 'jobs' },
        { label: 'Active', unit: 'jobs' },
      ],
      at,
      [samples.map((s) => s.waiting), samples.map((s) => s.active)],
    );
    this.rate.setData([{ label: 'Jobs finished', unit: 'jobs/s' }], at, [samples.map((s) => s.jobsPerSecond)]);
  }

  private queueRow(q: QueueSummary): HTMLTableRowElement {
    const actions = el('div', null, 'actions');
    for (const action of QUEUE_ACTIONS.filter((a) => a.applies(q))) {
      const node = button(action.label, () => void this.run(q, action));
      node.setAttribute('aria-label', `${action.label} ${q.name}`);
      if (action.confirm) node.className = 'danger';
      actions.appendChild(node);
    }
    const k = q.counts;
    return row([q.name, k.waiting, k.active, k.delayed, k.failed, k.completed, q.paused ? 'paused' : 'running', actions]);
  }

  private async run(q: QueueSummary, action: QueueAction): Promise<void> {
    if (action.confirm && !(await confirmAction(action.confirm, action.label))) return;
    const result = await act(
      `${action.label} ${q.name}`,
      () => this.api.post<QueueSummary & { retried?: number }>(`/api/queues/${encodeURIComponent(q.name)}/${action.path}`),
      (answer) =>
        `${q.name}: ${answer.paused ? 'paused' : 'running'}${answer.retried === undefined ? '' : `, ${answer.retried} failed job(s) retried`}.`,
    );
    if (result) await this.render();
  }
}
