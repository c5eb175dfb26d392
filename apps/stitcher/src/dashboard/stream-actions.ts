/**
 * What an operator can do to a stream, as buttons wherever a stream is shown (the list, its
 * charts page). One entry per action: a new one (delete, edit) is one more line in STREAM_ACTIONS.
 */
import type { ApiClient } from './api-client.js';
import type { CreatedStream, StreamSummary } from './api-types.js';
import { button, byId } from './dom.js';
import { confirmAction } from './confirm.js';
import { act } from './notify.js';

export interface StreamAction {
  label: string;
  /** Shown for this stream? */
  applies(stream: StreamSummary): boolean;
  /** Asked in a confirmation dialog first (destructive actions); the answer is the button's label. */
  confirm?(stream: StreamSummary): string;
  run(api: ApiClient, stream: StreamSummary): Promise<string>;
}

const post = (api: ApiClient, stream: StreamSummary, action: string) =>
  api.post<StreamSummary>(`/api/streams/${encodeURIComponent(stream.id)}/${action}`);

export const STREAM_ACTIONS: StreamAction[] = [
  {
    label: 'Disable',
    applies: (s) => s.enabled,
    confirm: (s) => `Disable "${s.name}"? Its live publish ends and new publishes are refused until it is enabled again.`,
    run: async (api, s) => (await post(api, s, 'disable'), `"${s.name}" disabled: publishes are refused.`),
  },
  {
    label: 'Enable',
    applies: (s) => !s.enabled,
    run: async (api, s) => (await post(api, s, 'enable'), `"${s.name}" enabled: publishes are accepted.`),
  },
  {
    label: 'Rotate key',
    applies: () => true,
    confirm: (s) => `Give "${s.name}" a new stream key? The current key stops working for new publishes at once.`,
    run: async (api, s) => {
      showKey(await api.post<CreatedStream>(`/api/streams/${encodeURIComponent(s.id)}/rotate-key`));
      return `"${s.name}" has a new key (shown below, only now).`;
    },
  },
  {
    label: 'Delete',
    applies: () => true,
    confirm: (s) =>
      `Delete "${s.name}" for good? Its key and playback URL stop working and its sessions, playlists and segments are removed (its recordings stay until deleted on their own).${s.liveSessionId ? ' It is live: the publish is ended first.' : ''}`,
    run: async (api, s) => {
      await api.request(`/api/streams/${encodeURIComponent(s.id)}?force=true`, { method: 'DELETE' });
      return `"${s.name}" deleted.`;
    },
  },
];

/** The stream's action buttons; `done` runs after an action went through (to redraw). */
export function streamActionButtons(api: ApiClient, stream: StreamSummary, done: () => void): HTMLButtonElement[] {
  return STREAM_ACTIONS.filter((a) => a.applies(stream)).map((action) => {
    const node = button(action.label, () => void runAction(api, action, stream, done));
    node.setAttribute('aria-label', `${action.label} ${stream.name}`);
    node.dataset.action = action.label;
    if (action.confirm) node.className = 'danger';
    return node;
  });
}

async function runAction(api: ApiClient, action: StreamAction, stream: StreamSummary, done: () => void): Promise<void> {
  if (action.confirm && !(await confirmAction(action.confirm(stream), action.label))) return;
  const result = await act(
    action.label,
    () => action.run(api, stream),
    (message) => message,
  );
  if (result !== undefined) done();
}

/** A key is shown once, in the notice of the streams page (creation and rotation alike). */
export function showKey(stream: CreatedStream): void {
  byId('created-name').textContent = stream.name;
  byId('created-key').textContent = stream.streamKey;
  byId('created-rtmp').textContent = stream.publishUrls.rtmp;
  byId('created-push').textContent = stream.publishUrls.httpPush;
  byId('created-playback').textContent = stream.playbackUrl;
  // The Livepeer API could not be asked about the ladder: said here, next to the key.
  const check = byId('created-ladder-check');
  check.textContent = stream.ladderCheck?.warning ? `Ladder not checked: ${stream.ladderCheck.warning}` : '';
  check.hidden = !stream.ladderCheck?.warning;
  const notice = byId('created');
  notice.hidden = false;
  notice.dataset.streamId = stream.id;
}
