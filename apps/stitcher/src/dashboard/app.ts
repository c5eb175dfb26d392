/**
 * The dashboard's entry (an ES module, see index.html): sign-in, the navigation and hash routing
 * over the pages of pages.ts, and each page's refresh, over the admin API (/api, bearer
 * ADMIN_TOKEN), its event stream and the republished HLS (/hls).
 */
import { ApiClient, UnauthorisedError } from './api-client.js';
import { byId, el } from './dom.js';
import { OverviewEvents } from './event-stream.js';
import { DEFAULT_PAGE, PAGES, pageOfHash, type PageContext } from './pages.js';
import { Player } from './player.js';
import { showSection, type View } from './view.js';

const TOKEN_KEY = 'relay-admin-token';
/** bull-board pages are opened by navigation, so they are authorised by this cookie. */
const COOKIE = 'relay_admin_token';

const api = new ApiClient(() => signOut('The admin token was refused.'));
const context: PageContext = { api, player: new Player(), events: new OverviewEvents(api) };
/** Pages without a parameter are made once and kept; a parameterised one lives while it is shown. */
const kept = new Map<string, View>();
let current: { key: string; view: View } | undefined;
let refreshTimer: ReturnType<typeof setTimeout> | undefined;

function buildNavigation(): void {
  const list = byId('nav-links');
  list.replaceChildren(
    ...PAGES.filter((p) => p.nav).map((page) => {
      const item = el('li');
      const anchor = el('a', page.nav);
      anchor.href = `#${page.id}`;
      anchor.dataset.page = page.id;
      item.appendChild(anchor);
      return item;
    }),
  );
}

function leaveCurrent(): void {
  clearTimeout(refreshTimer);
  current?.view.leave?.();
  current = undefined;
}

function signOut(message = ''): void {
  api.token = '';
  localStorage.removeItem(TOKEN_KEY);
  document.cookie = `${COOKIE}=; path=/; max-age=0; SameSite=Strict`;
  leaveCurrent();
  context.events.close();
  context.player.stop();
  byId('nav').hidden = true;
  // A stream key or an action's outcome must not stay on screen for whoever comes next.
  hideNotices();
  byId('sign-in-error').textContent = message;
  showSection(byId('sign-in-view'));
  byId('token').focus();
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
  if (!pageOfHash(location.hash)) location.hash = `#${DEFAULT_PAGE}`;
  route();
}

async function refresh(view: View): Promise<void> {
  clearTimeout(refreshTimer);
  if (!api.token || current?.view !== view) return;
  try {
    await view.render();
  } catch (err) {
    if (!(err instanceof UnauthorisedError)) console.warn('refresh failed', err);
  }
  if (view.refreshMs !== null && current?.view === view) refreshTimer = setTimeout(() => void refresh(view), view.refreshMs);
}

function route(moveFocus = false): void {
  if (!api.token) return signOut();
  const target = pageOfHash(location.hash) ?? pageOfHash(`#${DEFAULT_PAGE}`)!;
  const key = target.param === undefined ? target.page.id : `${target.page.id}/${target.param}`;
  if (current?.key === key) return;
  leaveCurrent();
  let view = kept.get(key);
  if (!view) {
    view = target.page.create(context, target.param);
    if (target.param === undefined) kept.set(key, view);
  }
  current = { key, view };
  for (const anchor of Array.from(document.querySelectorAll<HTMLAnchorElement>('#nav-links a'))) {
    if (anchor.dataset.page === target.page.id) anchor.setAttribute('aria-current', 'page');
    else anchor.removeAttribute('aria-current');
  }
  showSection(view.section);
  const heading = view.section.querySelector('h2');
  document.title = `${heading?.textContent ?? ''} · livepeer-relay`;
  // After a navigation, keyboard and screen-reader users start at the new page's heading.
  if (moveFocus) heading?.focus();
  void refresh(view);
}

buildNavigation();
byId('sign-in-form').addEventListener('submit', (event) => {
  event.preventDefault();
  void signIn(byId<HTMLInputElement>('token').value.trim());
});
byId('sign-out').addEventListener('click', () => signOut());
function hideNotices(): void {
  byId('created').hidden = true;
  byId('created-key').textContent = '';
  byId('status').hidden = true;
}

byId('created-dismiss').addEventListener('click', hideNotices);
window.addEventListener('hashchange', () => route(true));

const saved = localStorage.getItem(TOKEN_KEY);
if (saved) void signIn(saved);
else signOut();
