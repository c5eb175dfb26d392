/**
 * The dashboard's entry (an ES module, see index.html): sign-in, hash routing and the live
 * refresh over the admin API (/api, bearer ADMIN_TOKEN) and the republished HLS (/hls).
 */
import { ApiClient, UnauthorisedError } from './api-client.js';
import { BroadcastersView } from './broadcasters-view.js';
import { byId } from './dom.js';
import { Player } from './player.js';
import { QueuesView } from './queues-view.js';
import { RecordingsView } from './recordings-view.js';
import { SessionView } from './session-view.js';
import { StreamsView } from './streams-view.js';
import { showSection, type View } from './view.js';

const TOKEN_KEY = 'relay-admin-token';
/** bull-board pages are opened by navigation, so they are authorised by this cookie. */
const COOKIE = 'relay_admin_token';
const REFRESH_MS = 2000;

const api = new ApiClient(() => signOut('The admin token was refused.'));
const player = new Player();
const recordingPlayer = new Player({ video: 'recording-player', renditions: 'recording-renditions', status: 'recording-player-status' });
const views: Record<string, View> = {
  streams: new StreamsView(api),
  broadcasters: new BroadcastersView(api),
  queues: new QueuesView(api),
};
let refreshTimer: ReturnType<typeof setTimeout> | undefined;

function signOut(message = ''): void {
  api.token = '';
  localStorage.removeItem(TOKEN_KEY);
  document.cookie = `${COOKIE}=; path=/; max-age=0; SameSite=Strict`;
  player.stop();
  byId('nav').hidden = true;
  byId('sign-in-error').textContent = message;
  showSection('sign-in-view');
}

async function signIn(candidate: string): Promise<void> {
  api.token = candidate;
  try {
    await api.request('/api/queues');
  } catch {
    return; // a refused token has signed out with its message
  }
  localStorage.setItem(TOKEN_KEY, candidate);
  document.cookie = `${COOKIE}=${encodeURIComponent(candidate)}; path=/; SameSite=Strict`;
  byId('nav').hidden = false;
  if (!location.hash || location.hash === '#') location.hash = '#streams';
  route();
}

function currentView(): View {
  const hash = location.hash.replace(/^#/, '');
  const session = /^session\/([0-9a-f-]{36})$/.exec(hash);
  if (session) return new SessionView(api, player, session[1]);
  const recordings = /^recordings\/([0-9a-f-]{36})$/.exec(hash);
  if (recordings) return new RecordingsView(api, recordingPlayer, recordings[1]);
  return views[hash] ?? views.streams;
}

async function refresh(): Promise<void> {
  clearTimeout(refreshTimer);
  if (!api.token) return;
  try {
    await currentView().render();
  } catch (err) {
    if (!(err instanceof UnauthorisedError)) console.warn('refresh failed', err);
  }
  refreshTimer = setTimeout(() => void refresh(), REFRESH_MS);
}

function route(): void {
  if (!api.token) return signOut();
  const view = currentView();
  if (view.section !== 'session-view') player.stop();
  if (view.section !== 'recordings-view') recordingPlayer.stop();
  showSection(view.section);
  void refresh();
}

byId('sign-in-form').addEventListener('submit', (event) => {
  event.preventDefault();
  void signIn(byId<HTMLInputElement>('token').value.trim());
});
byId('sign-out').addEventListener('click', () => signOut());
window.addEventListener('hashchange', route);

const saved = localStorage.getItem(TOKEN_KEY);
if (saved) void signIn(saved);
else signOut();
