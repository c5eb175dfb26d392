import { ApiRequestError, type ApiClient } from './api-client.js';
import type { CreatedStream, Preset, StreamSummary } from './api-types.js';
import { button, byId, el, fillTable, link, row } from './dom.js';
import { ladderText } from './format.js';
import { ladderFromForm, streamNameErrors, type FieldErrors } from './form-checks.js';
import { checkedPresets, fillPresets, ladderFieldset, profilesText, showFieldErrors } from './ladder-fields.js';
import { errorLines, notify } from './notify.js';
import { showKey, streamActionButtons } from './stream-actions.js';
import { streamThumbnail } from './thumbnail.js';
import { mountSection, type View } from './view.js';

/** The stream list with every stream action, the "New stream" form and the ladder editor. */
export class StreamsView implements View {
  readonly section = mountSection(
    'streams-view',
    'Streams',
    `<div class="table-wrap"><table id="streams-table">
        <caption class="visually-hidden">Streams and their actions</caption>
        <thead><tr><th scope="col">Name</th><th scope="col">Ladder</th><th scope="col">Playback</th><th scope="col">State</th><th scope="col">Actions</th></tr></thead>
        <tbody></tbody>
      </table></div>

      <form id="ladder-form" hidden novalidate aria-labelledby="ladder-form-title">
        <h3 id="ladder-form-title">Ladder of <span id="ladder-stream"></span></h3>
        ${ladderFieldset('ladder')}
        <p class="muted">Applies from the next publish.</p>
        <div class="buttons"><button id="ladder-save" type="submit">Save ladder</button>
        <button id="ladder-cancel" type="button">Cancel</button></div>
        <div id="ladder-errors" class="error" role="alert"></div>
      </form>

      <form id="create-form" novalidate aria-labelledby="create-title">
        <h3 id="create-title">New stream</h3>
        <label for="create-name">Name</label>
        <input id="create-name" required maxlength="200" autocomplete="off" aria-describedby="create-errors" />
        ${ladderFieldset('create')}
        <button id="create-submit" type="submit">Create</button>
        <div id="create-errors" class="error" role="alert"></div>
      </form>`,
  );
  readonly refreshMs = 2000;
  /** Loaded once: renders overlap (sign-in and the hash change both draw), so a check-then-fill would list each preset twice. */
  private presets?: Promise<Preset[]>;
  private editing?: StreamSummary;

  constructor(private readonly api: ApiClient) {
    byId('create-form').addEventListener('submit', (event) => {
      event.preventDefault();
      void this.create();
    });
    byId('ladder-form').addEventListener('submit', (event) => {
      event.preventDefault();
      void this.saveLadder();
    });
    byId('ladder-cancel').addEventListener('click', () => this.closeLadder());
  }

  async render(): Promise<void> {
    const presets = await this.loadPresets();
    const container = byId('create-presets');
    if (!container.childElementCount) fillPresets(container, presets);
    const streams = await this.api.request<StreamSummary[]>('/api/streams');
    // A redraw must not take the focus away from a button the operator is on.
    const focused = (document.activeElement as HTMLElement | null)?.getAttribute('aria-label');
    fillTable(
      byId<HTMLTableElement>('streams-table'),
      streams.map((s) => this.streamRow(s)),
    );
    if (focused)
      byId('streams-table')
        .querySelector<HTMLElement>(`[aria-label="${CSS.escape(focused)}"]`)
        ?.focus();
  }

  private loadPresets(): Promise<Preset[]> {
    this.presets ??= this.api.request<Preset[]>('/api/presets').catch((err: unknown) => {
      this.presets = undefined; // try again on the next render
      throw err;
    });
    return this.presets;
  }

  private streamRow(stream: StreamSummary): HTMLTableRowElement {
    const actions = el('div', null, 'actions');
    if (stream.liveSessionId) actions.appendChild(link('Watch', `#session/${stream.liveSessionId}`, 'watch'));
    actions.appendChild(link('Charts', `#stream/${stream.id}`, 'charts'));
    actions.appendChild(link('Recordings', `#recordings/${stream.id}`, 'recordings'));
    actions.append(...streamActionButtons(this.api, stream, () => void this.render()));
    const edit = button('Edit ladder', () => void this.openLadder(stream));
    edit.setAttribute('aria-label', `Edit ladder ${stream.name}`);
    actions.appendChild(edit);
    const state = stream.enabled ? (stream.liveSessionId ? 'live' : 'idle') : 'disabled';
    const name = el('span', null, 'stream-name');
    name.append(streamThumbnail(stream.playbackUrl), link(stream.name, `#stream/${stream.id}`));
    const tr = row([name, ladderText(stream.ladder), el('code', stream.playbackUrl), state, actions]);
    tr.dataset.streamId = stream.id;
    return tr;
  }

  private async create(): Promise<void> {
    const name = byId<HTMLInputElement>('create-name').value;
    const { ladder, errors } = ladderFromForm(checkedPresets(byId('create-presets')), byId<HTMLTextAreaElement>('create-profiles').value);
    const problems = { ...streamNameErrors(name), ...errors };
    if (this.showCreateErrors(problems)) return;
    try {
      const created = await this.api.post<CreatedStream>('/api/streams', { name, ladder });
      showKey(created);
      notify(`Stream "${created.name}" created.`);
      byId<HTMLFormElement>('create-form').reset();
      await this.render();
    } catch (err) {
      this.showCreateErrors(err instanceof ApiRequestError ? (err.body?.errors ?? {}) : {}, errorLines(err));
    }
  }

  /** Returns whether there was anything to show. */
  private showCreateErrors(errors: FieldErrors, other: string[] = []): boolean {
    showFieldErrors(
      byId('create-errors'),
      errors,
      { name: byId('create-name'), ladder: byId('create-profiles') },
      Object.keys(errors).length ? [] : other,
    );
    return Object.keys(errors).length > 0 || other.length > 0;
  }

  private async openLadder(stream: StreamSummary): Promise<void> {
    this.editing = stream;
    byId('ladder-stream').textContent = stream.name;
    fillPresets(byId('ladder-presets'), await this.loadPresets(), stream.ladder.presets ?? []);
    byId<HTMLTextAreaElement>('ladder-profiles').value = profilesText(stream.ladder);
    byId('ladder-errors').replaceChildren();
    const form = byId('ladder-form');
    form.hidden = false;
    form.querySelector<HTMLElement>('input, textarea')?.focus();
  }

  private closeLadder(): void {
    byId('ladder-form').hidden = true;
    this.editing = undefined;
  }

  private async saveLadder(): Promise<void> {
    const stream = this.editing;
    if (!stream) return;
    const { ladder, errors } = ladderFromForm(checkedPresets(byId('ladder-presets')), byId<HTMLTextAreaElement>('ladder-profiles').value);
    // PUT :id/ladder takes the ladder itself: its fields are named without the `ladder.` prefix.
    const fields = { profiles: byId('ladder-profiles') };
    const unprefixed = Object.fromEntries(Object.entries(errors).map(([field, messages]) => [field.replace(/^ladder\./, ''), messages]));
    if (Object.keys(unprefixed).length) return showFieldErrors(byId('ladder-errors'), unprefixed, fields);
    try {
      await this.api.request(`/api/streams/${encodeURIComponent(stream.id)}/ladder`, { method: 'PUT', body: JSON.stringify(ladder) });
      notify(`Ladder of "${stream.name}" saved: ${ladderText(ladder)}. It applies from the next publish.`);
      this.closeLadder();
      await this.render();
    } catch (err) {
      const apiErrors = err instanceof ApiRequestError ? (err.body?.errors ?? {}) : {};
      showFieldErrors(byId('ladder-errors'), apiErrors, fields, Object.keys(apiErrors).length ? [] : errorLines(err));
    }
  }
}
