import type { ApiClient } from './api-client.js';
import { button, el, fillTable, row } from './dom.js';
import type { Player } from './player.js';
import type { Recording, RecordingExport } from './recording-types.js';
import type { View } from './view.js';

const SECTION_ID = 'recordings-view';

/** The section, made once by this module (the page's static HTML stays the overview's). */
function section(): HTMLElement {
  const existing = document.getElementById(SECTION_ID);
  if (existing) return existing;
  const node = el('section');
  node.id = SECTION_ID;
  node.hidden = true;
  const table = el('table');
  table.id = 'recordings-table';
  const head = el('thead');
  head.append(row(['', 'Started', 'Duration', 'State', 'Variants', 'MP4', ''].map((h) => el('span', h))));
  table.append(head, el('tbody'));
  const video = el('video');
  video.id = 'recording-player';
  video.controls = true;
  video.muted = true;
  video.playsInline = true;
  const renditions = el('div', null, 'switcher');
  renditions.id = 'recording-renditions';
  const status = el('p', null, 'muted');
  status.id = 'recording-player-status';
  const back = el('a', 'All streams');
  back.href = '#streams';
  node.append(el('h2', 'Recordings'), back, table, video, renditions, status);
  document.querySelector('main')!.append(node);
  return node;
}

function duration(ms: number | null): string {
  if (ms === null) return '-';
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

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
  const wrap = el('span', `${e.variant} ${e.state} ${e.progress}% `);
  wrap.append(progress);
  return wrap;
}

/**
 * `#recordings/{streamId}`: a stream's recordings with their thumbnails, playback in the
 * dashboard's player (hls.js, the VOD master playlist) and MP4 exports with their progress
 * (the page refreshes every 2 s while an export runs).
 */
export class RecordingsView implements View {
  readonly section = SECTION_ID;

  constructor(
    private readonly api: ApiClient,
    private readonly player: Player,
    private readonly streamId: string,
  ) {
    section();
  }

  async render(): Promise<void> {
    const recordings = await this.api.request<Recording[]>(`/api/streams/${this.streamId}/recordings`);
    fillTable(document.getElementById('recordings-table') as HTMLTableElement, recordings.map((r) => this.recordingRow(r)));
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
      variant.append(...r.variants.map((v) => Object.assign(el('option', v), { value: v })));
      actions.append(variant, button('Export MP4', () => void this.export(r.id, variant.value)));
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
    await this.api.post(`/api/recordings/${recordingId}/export`, { variant });
    await this.render();
  }
}
