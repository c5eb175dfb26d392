import type { OverviewCard, OverviewSnapshot } from './api-types.js';
import { byId, el, link, setText } from './dom.js';
import type { ConnectionState, OverviewEvents } from './event-stream.js';
import { dropSummary } from './format.js';
import { delayBehindLiveMs, delayText, sortByTrouble, troubleOf } from './overview-logic.js';
import { mountSection, type View } from './view.js';

/** A thumbnail is fetched again this often (a missing one too: it may appear once recording starts). */
const THUMBNAIL_REFRESH_MS = 30_000;
const TROUBLE_WORDS = ['fine', 'check', 'trouble'];

/** The DOM of one card, made once and then only given new text. */
interface CardNodes {
  article: HTMLElement;
  trouble: HTMLElement;
  reasons: HTMLElement;
  state: HTMLElement;
  delay: HTMLElement;
  transcode: HTMLElement;
  drops: HTMLElement;
  thumbnail: HTMLImageElement;
  placeholder: HTMLElement;
  thumbnailLoadedAt: number;
}

/**
 * Every live stream as a card, trouble first, updated by the stitcher's server-sent events (one
 * connection for the page, not one poll per card).
 */
export class OverviewView implements View {
  readonly section = mountSection(
    'overview-view',
    'Overview',
    `<p class="muted" id="overview-connection" role="status">connecting…</p>
     <p id="overview-summary"></p>
     <div id="overview-cards" class="cards"></div>`,
  );
  readonly refreshMs = null;
  private readonly cards = new Map<string, CardNodes>();
  private unsubscribe?: () => void;

  constructor(private readonly events: OverviewEvents) {}

  async render(): Promise<void> {
    this.unsubscribe ??= this.events.subscribe({
      snapshot: (snapshot, receivedAt) => this.draw(snapshot, receivedAt),
      connection: (state) => this.connection(state),
    });
  }

  leave(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  private connection(state: ConnectionState): void {
    setText(
      byId('overview-connection'),
      state === 'live' ? 'updating live' : state === 'connecting' ? 'connecting…' : 'connection lost, reconnecting…',
    );
  }

  private draw(snapshot: OverviewSnapshot, receivedAt: number): void {
    // Delays against the server's clock, moved on by the time since this event arrived.
    const now = snapshot.serverTime + (Date.now() - receivedAt);
    const sorted = sortByTrouble(snapshot.cards, now);
    const container = byId('overview-cards');
    const seen = new Set<string>();
    let inTrouble = 0;
    for (const card of sorted) {
      seen.add(card.sessionId);
      const nodes = this.cards.get(card.sessionId) ?? this.create(card);
      if (this.fill(nodes, card, now, snapshot.dropWindowMs) === 2) inTrouble++;
    }
    for (const [id, nodes] of this.cards) {
      if (!seen.has(id)) {
        nodes.article.remove();
        this.cards.delete(id);
      }
    }
    // Reorder only when the order changed: moving nodes restarts nothing but still costs layout.
    const order = sorted.map((c) => this.cards.get(c.sessionId)!.article);
    if (order.some((node, i) => container.children[i] !== node)) container.replaceChildren(...order);
    setText(
      byId('overview-summary'),
      sorted.length === 0
        ? 'No stream is live.'
        : `${sorted.length} live stream${sorted.length === 1 ? '' : 's'}, ${inTrouble} in trouble.`,
    );
  }

  private create(card: OverviewCard): CardNodes {
    const article = el('article', null, 'card');
    article.dataset.sessionId = card.sessionId;
    article.dataset.streamId = card.streamId;
    const titleId = `card-${card.sessionId}`;
    article.setAttribute('aria-labelledby', titleId);
    const media = el('div', null, 'thumb');
    const thumbnail = el('img');
    thumbnail.alt = `Latest picture of ${card.streamName ?? 'the stream'}`;
    thumbnail.width = 320;
    thumbnail.height = 180;
    thumbnail.hidden = true;
    const placeholder = el('div', 'no thumbnail', 'thumb-placeholder');
    media.append(thumbnail, placeholder);
    const heading = el('h3');
    heading.id = titleId;
    heading.appendChild(link(card.streamName ?? card.streamId, `#stream/${card.streamId}`));
    const trouble = el('span', '', 'trouble');
    const reasons = el('p', '', 'reasons');
    const facts = el('dl', null, 'facts');
    const fact = (term: string) => {
      const value = el('dd');
      facts.append(el('dt', term), value);
      return value;
    };
    const nodes: CardNodes = {
      article,
      trouble,
      reasons,
      state: fact('State'),
      delay: fact('Behind live'),
      transcode: fact('Transcode'),
      drops: fact('Drops (10 min)'),
      thumbnail,
      placeholder,
      thumbnailLoadedAt: 0,
    };
    const actions = el('p', null, 'card-actions');
    actions.append(link('Charts', `#stream/${card.streamId}`), link('Watch', `#session/${card.sessionId}`, 'watch'));
    heading.appendChild(trouble);
    article.append(media, heading, reasons, facts, actions);
    thumbnail.addEventListener('load', () => {
      thumbnail.hidden = false;
      placeholder.hidden = true;
    });
    thumbnail.addEventListener('error', () => {
      thumbnail.hidden = true;
      placeholder.hidden = false;
    });
    this.cards.set(card.sessionId, nodes);
    return nodes;
  }

  /** Writes the card's figures; returns its trouble level. */
  private fill(nodes: CardNodes, card: OverviewCard, now: number, dropWindowMs: number): number {
    const trouble = troubleOf(card, now);
    nodes.article.dataset.trouble = String(trouble.level);
    nodes.trouble.className = `trouble level-${trouble.level}`;
    setText(nodes.trouble, TROUBLE_WORDS[trouble.level]);
    setText(nodes.reasons, trouble.reasons.join(' · ') || 'all well');
    setText(nodes.state, card.state);
    setText(nodes.delay, delayText(delayBehindLiveMs(card.newestProgramDateTime, card.newestDurationMs, now)));
    const t = card.transcode;
    setText(
      nodes.transcode,
      t ? [t.status ?? '', t.speedFactor === null ? '' : `${t.speedFactor.toFixed(2)}x speed`].filter(Boolean).join(' · ') : 'not reported',
    );
    const reasons = dropSummary(card.drops.byReason);
    setText(nodes.drops, card.drops.total ? `${card.drops.total} (${reasons})` : `none in ${Math.round(dropWindowMs / 60_000)} min`);
    if (card.playbackId && Date.now() - nodes.thumbnailLoadedAt > THUMBNAIL_REFRESH_MS) {
      nodes.thumbnailLoadedAt = Date.now();
      nodes.thumbnail.src = `/hls/${encodeURIComponent(card.playbackId)}/thumbnail.jpg?t=${Math.floor(Date.now() / THUMBNAIL_REFRESH_MS)}`;
    }
    return trouble.level;
  }
}
