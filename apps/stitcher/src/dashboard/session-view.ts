import type { ApiClient } from './api-client.js';
import type { RenditionStatus, SessionDetail, TimelineEntry } from './api-types.js';
import { byId, el, fillTable, row } from './dom.js';
import { dropSummary, fallbackSummary, kbps, seconds } from './format.js';
import { Player, levelName } from './player.js';
import { mountSection, type View } from './view.js';

const TIMELINE_LENGTH = 30;

/** A live session: the player, the ladder with each rendition's lag, the counts and the timeline. */
export class SessionView implements View {
  readonly section = mountSection(
    'session-view',
    'Live: <span id="session-stream"></span>',
    `<p>Transcode: <span id="session-transcode"></span> <span id="session-fallback" class="muted"></span></p>
    <div class="player-row">
      <div>
        <video id="player" controls muted playsinline aria-label="Live picture"></video>
        <div id="renditions" class="switcher" role="group" aria-label="Rendition"></div>
        <p id="player-status" class="muted" role="status"></p>
      </div>
      <div>
        <h3>Ladder</h3>
        <div class="table-wrap"><table id="ladder">
          <thead><tr><th scope="col">Variant</th><th scope="col">Resolution</th><th scope="col">Bandwidth</th><th scope="col">Codecs</th><th scope="col">Lag (segments / s)</th></tr></thead>
          <tbody></tbody>
        </table></div>
        <h3>Segments</h3>
        <p id="counts"></p>
      </div>
    </div>
    <h3>Timeline <span class="muted">(ingested → uploaded → republished)</span></h3>
    <div class="table-wrap"><table id="timeline">
      <thead><tr><th scope="col">Seq</th><th scope="col">MSN</th><th scope="col">Duration</th><th scope="col">State</th><th scope="col">Upload</th><th scope="col">Republished after</th><th scope="col">Broadcasters</th><th scope="col">Renditions</th></tr></thead>
      <tbody></tbody>
    </table></div>`,
  );
  readonly refreshMs = 2000;

  constructor(
    private readonly api: ApiClient,
    private readonly player: Player,
    private readonly sessionId: string,
  ) {}

  leave(): void {
    this.player.stop();
    this.section.remove();
  }

  async render(): Promise<void> {
    const path = `/api/sessions/${encodeURIComponent(this.sessionId)}`;
    const session = await this.api.request<SessionDetail>(path);
    byId('session-stream').textContent = `${session.streamName} (${session.state})`;
    const speed = session.transcode.speedFactor;
    byId('session-transcode').textContent = `${session.transcode.status}${speed === null ? '' : ` · speed ${speed.toFixed(2)}x real time`}`;
    byId('session-fallback').textContent = fallbackSummary(session.fallback);
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
