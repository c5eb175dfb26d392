import type { ApiClient } from './api-client.js';
import { button, el, fillTable, row } from './dom.js';
import { act } from './notify.js';
import { Player } from './player.js';
import type { Recording, RecordingExport } from './recording-types.js';
import { mountSection, type View } from './view.js';

function duration(ms: number | null): string {
  if (ms === null) return '-';
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** An MP4 export: its download link once ready, else its state and progress. */
function exportCell(e: RecordingExport): HTMLElement {
  if (e.state === 'ready' && e.url) {
    const link = el('a', `${e.variant}.mp4`);
    link.href = new URL(e.url).pathname;
    link.download = `${e.variant}.mp4`;
    return link;
  }
  if (e.state === 'failed') return el('span', `${e.variant}: failed (${e.error ?? 'unknown'})`, 'error');
  const progress = el('progress');
  progress.max = 100;
  progress.value = e.progress;
  progress.setAttribute('aria-label', `${e.variant} export progress`);
  const wrap = el('span', `${e.variant} ${e.state} ${e.progress}% `);
  wrap.append(progress);
  return wrap;
}

/**
 * `#recordings/{streamId}`: a stream's recordings with their thumbnails, playback in the
 * dashboard's player (hls.js on the VOD master playlist, its own video element) and MP4 exports
 * with their progress (the page refreshes every 2 s).
 */
export class RecordingsView implements View {
  readonly section = mountSection(
    'recordings-view',
    'Recordings',
    `<p><a href="#streams">All streams</a></p>
     <div class="table-wrap"><table id="recordings-table">
       <caption class="visually-hidden">Recordings of the stream, their MP4 exports and controls</caption>
       <thead><tr><th scope="col">Thumbnail</th><th scope="col">Started</th><th scope="col">Duration</th><th scope="col">State</th><th scope="col">Variants</th><th scope="col">MP4</th><th scope="col">Actions</th></tr></thead>
       <tbody></tbody>
     </table></div>
     <video id="recording-player" controls muted playsinline></video>
     <div id="recording-renditions" class="switcher" aria-label="rendition"></div>
     <p id="recording-player-status" class="muted"></p>`,
  );
  readonly refreshMs = 2000;
  private readonly player = new Player({
    video: 'recording-player',
    renditions: 'recording-renditions',
    status: 'recording-player-status',
  });

  constructor(
    private readonly api: ApiClient,
    private readonly streamId: string,
  ) {}

  async render(): Promise<void> {
    const recordings = await this.api.request<Recording[]>(`/api/streams/${this.streamId}/recordings`);
    fillTable(
      this.section.querySelector<HTMLTableElement>('#recordings-table')!,
      recordings.map((r) => this.recordingRow(r)),
    );
  }

  leave(): void {
    this.player.stop();
    this.section.remove();
  }

  private recordingRow(r: Recording): HTMLTableRowElement {
    const thumb = el('img', null, 'thumbnail');
    thumb.alt = '';
    thumb.width = 96;
    if (r.thumbnailUrl) thumb.src = new URL(r.thumbnailUrl).pathname;
    else thumb.hidden = true;
    const exports = el('span');
    exports.append(...r.mp4.map(exportCell));
    const actions = el('span');
    if (r.state === 'ready' && r.playbackUrl) {
      const source = new URL(r.playbackUrl).pathname;
      actions.append(button('Play', () => this.player.play({ id: r.id, source })));
      const variant = el('select');
      variant.setAttribute('aria-label', 'Variant to export');
      variant.append(...r.variants.map((v) => Object.assign(el('option', v), { value: v })));
      actions.append(
        variant,
        button('Export MP4', () => void this.export(r.id, variant.value)),
      );
    }
    const tr = row([
      thumb,
      new Date(r.startedAt).toLocaleString(),
      duration(r.durationMs),
      r.failureReason ? `${r.state} (${r.failureReason})` : r.state,
      r.variants.join(', '),
      exports,
      actions,
    ]);
    tr.dataset.recordingId = r.id;
    return tr;
  }

  private async export(recordingId: string, variant: string): Promise<void> {
    await act(
      `Export ${variant}`,
      () => this.api.post(`/api/recordings/${recordingId}/export`, { variant }),
      () => `MP4 export of ${variant} queued.`,
    );
    await this.render();
  }
}
