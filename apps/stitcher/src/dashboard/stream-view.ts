import type { ApiClient } from './api-client.js';
import type { StreamHistory, StreamSummary } from './api-types.js';
import { TimeChart } from './charts.js';
import { byId, link } from './dom.js';
import { ladderText } from './format.js';
import { streamActionButtons } from './stream-actions.js';
import { mountSection, type View } from './view.js';

/** One stream's last hour in charts, with its actions one click away. */
export class StreamView implements View {
  readonly section: HTMLElement;
  readonly refreshMs = 5000;
  private readonly timing = new TimeChart('chart-stream-timing', 'Upload round trip and republish lag per segment');
  private readonly drops = new TimeChart('chart-stream-drops', 'Drops per minute by reason');

  constructor(
    private readonly api: ApiClient,
    private readonly streamId: string,
  ) {
    this.section = mountSection(
      'stream-view',
      'Stream <span id="stream-name"></span>',
      `<p id="stream-facts"></p>
       <div id="stream-actions" class="actions"></div>
       <div class="chart-grid" id="stream-charts"></div>`,
    );
    byId('stream-charts').append(this.timing.figure, this.drops.figure);
  }

  async render(): Promise<void> {
    const id = encodeURIComponent(this.streamId);
    const [streams, history] = await Promise.all([
      this.api.request<StreamSummary[]>('/api/streams'),
      this.api.request<StreamHistory>(`/api/streams/${id}/history?minutes=60`),
    ]);
    const stream = streams.find((s) => s.id === this.streamId);
    if (!stream) {
      byId('stream-name').textContent = '(not found)';
      return;
    }
    byId('stream-name').textContent = stream.name;
    byId('stream-facts').textContent =
      `${stream.enabled ? (stream.liveSessionId ? 'live' : 'idle') : 'disabled'} · ladder: ${ladderText(stream.ladder)} · ` +
      `${history.sessionIds.length} session(s) in the last hour`;
    const actions = [...streamActionButtons(this.api, stream, () => void this.render())];
    const focused = (document.activeElement as HTMLElement | null)?.dataset.action;
    byId('stream-actions').replaceChildren(
      ...(stream.liveSessionId ? [link('Watch', `#session/${stream.liveSessionId}`, 'watch')] : []),
      ...actions,
    );
    if (focused) actions.find((a) => a.dataset.action === focused)?.focus();
    const s = history.segments;
    this.timing.setData(
      [
        { label: 'Upload round trip', unit: 'ms' },
        { label: 'Republish lag', unit: 'ms' },
      ],
      s.ingestedAt,
      [s.roundTripMs, s.republishLagMs],
    );
    const reasons = Object.keys(history.drops.byReason).sort();
    this.drops.setData(
      reasons.length
        ? reasons.map((reason) => ({ label: reason, unit: 'drops', bars: true }))
        : [{ label: 'drops', unit: 'drops', bars: true }],
      history.drops.bucketStart,
      reasons.length ? reasons.map((r) => history.drops.byReason[r]) : [history.drops.bucketStart.map(() => 0)],
    );
  }

  leave(): void {
    this.timing.destroy();
    this.drops.destroy();
    this.section.remove();
  }
}
