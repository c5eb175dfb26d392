import type { ApiClient } from './api-client.js';
import type { RenditionStatus, SessionDetail, TimelineEntry } from './api-types.js';
import { byId, el, fillTable, row } from './dom.js';
import { dropSummary, kbps, seconds } from './format.js';
import { Player, levelName } from './player.js';
import type { View } from './view.js';

const TIMELINE_LENGTH = 30;

/** A live session: the player, the ladder with each rendition's lag, the counts and the timeline. */
export class SessionView implements View {
  readonly section = 'session-view';

  constructor(
    private readonly api: ApiClient,
    private readonly player: Player,
    private readonly sessionId: string,
  ) {}

  async render(): Promise<void> {
    const path = `/api/sessions/${encodeURIComponent(this.sessionId)}`;
    const session = await this.api.request<SessionDetail>(path);
    byId('session-stream').textContent = `${session.streamName} (${session.state})`;
    const speed = session.transcode.speedFactor;
    byId('session-transcode').textContent = `${session.transcode.status}${speed === null ? '' : ` · speed ${speed.toFixed(2)}x real time`}`;
    if (session.playbackId) this.player.play({ id: session.id, playbackId: session.playbackId });
    fillTable(
      byId<HTMLTableElement>('ladder'),
      session.renditions.map((r) => this.ladderRow(r)),
    );
    const c = session.counts;
    const drops = dropSummary(c.dropped.byReason);
    byId('counts').textContent =
      `ingested ${c.ingested} · uploaded ${c.uploaded} · transcoded ${c.transcoded} · republished ${c.republished} · dropped ${c.dropped.total}` +
      (drops ? ` (${drops})` : '');
    const timeline = await this.api.request<TimelineEntry[]>(`${path}/segments?limit=${TIMELINE_LENGTH}`);
    fillTable(byId<HTMLTableElement>('timeline'), timeline.reverse().map(timelineRow));
  }

  /** What the player read from the master playlist next to what the API says of the rendition. */
  private ladderRow(rendition: RenditionStatus): HTMLTableRowElement {
    const level = this.player.levels.find((l) => levelName(l) === rendition.name);
    return row([
      rendition.name,
      level ? `${level.width}x${level.height}` : '',
      level ? kbps(level.bitrate) : '',
      level ? [level.videoCodec, level.audioCodec].filter(Boolean).join(',') : '',
      `${rendition.lagSegments} / ${rendition.lagSeconds.toFixed(1)} s`,
    ]);
  }
}

function timelineRow(s: TimelineEntry): HTMLTableRowElement {
  const chips = el('span');
  for (const [name, r] of Object.entries(s.renditions)) chips.appendChild(el('span', name, `chip ${r.state}`));
  return row([
    s.seq,
    s.msn,
    seconds(s.durationMs),
    s.dropReason ? `${s.state} (${s.dropReason})` : s.state,
    s.uploadedAt ? seconds(s.uploadedAt - s.ingestedAt) : '',
    s.republishedAt ? seconds(s.republishedAt - s.ingestedAt) : '',
    (s.broadcasters ?? []).join(' '),
    chips,
  ]);
}
