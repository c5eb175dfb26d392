import { ApiRequestError, type ApiClient } from './api-client.js';
import type { CreatedStream, Ladder, Preset, StreamSummary } from './api-types.js';
import { byId, el, fillTable, row } from './dom.js';
import { fieldErrorLines, ladderText } from './format.js';
import { liveThumbnail, playbackIdOf } from './thumbnail.js';
import type { View } from './view.js';

/** The stream list and the "New stream" form. */
export class StreamsView implements View {
  readonly section = 'streams-view';
  /** Loaded once: renders overlap (sign-in and the hash change both draw), so a check-then-fill would list each preset twice. */
  private presets?: Promise<void>;

  constructor(private readonly api: ApiClient) {
    byId('create-form').addEventListener('submit', (event) => {
      event.preventDefault();
      void this.create();
    });
  }

  async render(): Promise<void> {
    await this.loadPresets();
    const streams = await this.api.request<StreamSummary[]>('/api/streams');
    fillTable(byId<HTMLTableElement>('streams-table'), streams.map(streamRow));
  }

  private loadPresets(): Promise<void> {
    this.presets ??= this.fillPresets().catch((err: unknown) => {
      this.presets = undefined; // try again on the next render
      throw err;
    });
    return this.presets;
  }

  private async fillPresets(): Promise<void> {
    const presets = await this.api.request<Preset[]>('/api/presets');
    byId('create-presets').replaceChildren(...presets.map(presetCheckbox));
  }

  private async create(): Promise<void> {
    const errors = byId('create-errors');
    errors.textContent = '';
    const ladder: Ladder = {};
    const presets = Array.from(document.querySelectorAll<HTMLInputElement>('#create-presets input:checked')).map((box) => box.value);
    if (presets.length) ladder.presets = presets;
    const custom = byId<HTMLTextAreaElement>('create-profiles').value.trim();
    if (custom) {
      try {
        ladder.profiles = JSON.parse(custom);
      } catch (err) {
        errors.textContent = `Custom profiles: ${(err as Error).message}`;
        return;
      }
    }
    try {
      const name = byId<HTMLInputElement>('create-name').value;
      showCreated(await this.api.post<CreatedStream>('/api/streams', { name, ladder }));
      byId<HTMLFormElement>('create-form').reset();
      await this.render();
    } catch (err) {
      const lines = err instanceof ApiRequestError ? fieldErrorLines(err.body?.errors) : [];
      errors.replaceChildren(...(lines.length ? lines : [(err as Error).message]).map((line) => el('div', line)));
    }
  }
}

function presetCheckbox(preset: Preset): HTMLLabelElement {
  const label = el('label', null, 'preset');
  const box = el('input');
  box.type = 'checkbox';
  box.value = preset.name;
  label.append(box, ` ${preset.name}`);
  return label;
}

function streamRow(stream: StreamSummary): HTMLTableRowElement {
  let action: HTMLElement = el('span', '');
  if (stream.liveSessionId) {
    const watch = el('a', 'Watch', 'watch');
    watch.href = `#session/${stream.liveSessionId}`;
    action = watch;
  }
  const state = stream.enabled ? (stream.liveSessionId ? 'live' : 'idle') : 'disabled';
  const name = el('span', null, 'stream-name');
  const playbackId = playbackIdOf(stream.playbackUrl);
  if (playbackId) name.append(liveThumbnail(playbackId));
  const recordings = el('a', 'Recordings', 'recordings');
  recordings.href = `#recordings/${stream.id}`;
  name.append(el('span', stream.name), ' ', recordings);
  const tr = row([name, ladderText(stream.ladder), el('code', stream.playbackUrl), state, action]);
  tr.dataset.streamId = stream.id;
  return tr;
}

/** The key is shown only in this answer. */
function showCreated(created: CreatedStream): void {
  byId('created-name').textContent = created.name;
  byId('created-key').textContent = created.streamKey;
  byId('created-rtmp').textContent = created.publishUrls.rtmp;
  byId('created-push').textContent = created.publishUrls.httpPush;
  byId('created-playback').textContent = created.playbackUrl;
  const notice = byId('created');
  notice.hidden = false;
  notice.dataset.streamId = created.id;
}
