/**
 * The dashboard's pages: one line each. A page is reached at `#<id>` (or `#<id>/<param>`), is
 * listed in the navigation when it has a `nav` label, and makes its View (its own <section>)
 * from what every page may use. Adding a page is adding its line here.
 */
import type { ApiClient } from './api-client.js';
import { BroadcastersView } from './broadcasters-view.js';
import { IntegrationsView } from './integrations-view.js';
import type { OverviewEvents } from './event-stream.js';
import { OverviewView } from './overview-view.js';
import type { Player } from './player.js';
import { QueuesView } from './queues-view.js';
import { RecordingsView } from './recordings-view.js';
import { SessionView } from './session-view.js';
import { StreamView } from './stream-view.js';
import { StreamsView } from './streams-view.js';
import type { View } from './view.js';

/** What every page may use. */
export interface PageContext {
  api: ApiClient;
  player: Player;
  events: OverviewEvents;
}

export interface Page {
  id: string;
  /** The navigation's label; pages without one are reached by links (a stream's charts, a session's player). */
  nav?: string;
  /** The part after `#<id>/` must match (a UUID...) for the page to open. */
  param?: RegExp;
  create(context: PageContext, param: string | undefined): View;
}

const UUID = /^[0-9a-f-]{36}$/;

export const PAGES: Page[] = [
  { id: 'overview', nav: 'Overview', create: (c) => new OverviewView(c.events) },
  { id: 'streams', nav: 'Streams', create: (c) => new StreamsView(c.api) },
  { id: 'broadcasters', nav: 'Broadcasters', create: (c) => new BroadcastersView(c.api) },
  { id: 'queues', nav: 'Queues', create: (c) => new QueuesView(c.api) },
  { id: 'integrations', nav: 'Integrations', create: (c) => new IntegrationsView(c.api) },
  { id: 'stream', param: UUID, create: (c, id) => new StreamView(c.api, id!) },
  { id: 'session', param: UUID, create: (c, id) => new SessionView(c.api, c.player, id!) },
  { id: 'recordings', param: UUID, create: (c, id) => new RecordingsView(c.api, id!) },
];

export const DEFAULT_PAGE = 'overview';

/** The page and its parameter a location hash names, or undefined. */
export function pageOfHash(hash: string, pages: readonly Page[] = PAGES): { page: Page; param?: string } | undefined {
  const [id, ...rest] = hash.replace(/^#/, '').split('/');
  const param = rest.length ? rest.join('/') : undefined;
  const page = pages.find((p) => p.id === id);
  if (!page) return undefined;
  if (page.param ? !(param && page.param.test(param)) : param !== undefined) return undefined;
  return { page, param };
}
