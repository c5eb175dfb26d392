import type Hls from 'hls.js';
import type { Level } from 'hls.js';
import { byId, el } from './dom.js';
import { renditionOfUrl } from './format.js';

declare global {
  interface Window {
    /** hls.js, loaded by a classic script from /vendor/hls/ (node_modules, never a CDN). */
    Hls?: typeof Hls;
  }
}

/** The rendition a level plays. */
export function levelName(level: Level): string {
  return renditionOfUrl(level.url[0] ?? '', level.height);
}

/** The session's player: hls.js where the browser has MSE, native HLS (Safari) otherwise. */
export class Player {
  private hls?: Hls;
  private sessionId?: string;

  /** The ids of its video element, rendition switcher and status line (the session page's by default). */
  constructor(private readonly ids = { video: 'player', renditions: 'renditions', status: 'player-status' }) {}

  get levels(): Level[] {
    return this.hls?.levels ?? [];
  }

  /** A live session by its playback id, or any playlist (a recording's) by `source`. */
  play(session: { id: string; playbackId?: string; source?: string }): void {
    if (this.sessionId === session.id) return;
    this.stop();
    this.sessionId = session.id;
    const video = byId<HTMLVideoElement>(this.ids.video);
    const source = session.source ?? `/hls/${encodeURIComponent(session.playbackId ?? '')}/index.m3u8`;
    const HlsPlayer = window.Hls;
    if (!HlsPlayer || !HlsPlayer.isSupported()) {
      video.src = source;
      return;
    }
    const hls = new HlsPlayer({ liveSyncDurationCount: 3, manifestLoadingMaxRetry: 30, levelLoadingMaxRetry: 30 });
    this.hls = hls;
    hls.on(HlsPlayer.Events.MANIFEST_PARSED, () => {
      byId(this.ids.status).textContent = '';
      this.renderSwitcher();
      void video.play().catch(() => undefined);
    });
    hls.on(HlsPlayer.Events.LEVEL_SWITCHED, () => this.renderSwitcher());
    hls.on(HlsPlayer.Events.ERROR, (_event, data) => {
      byId(this.ids.status).textContent = `${data.type}: ${data.details}${data.fatal ? ' (fatal)' : ''}`;
      if (data.fatal && data.type === HlsPlayer.ErrorTypes.NETWORK_ERROR) setTimeout(() => this.hls?.loadSource(source), 2000);
      else if (data.fatal && data.type === HlsPlayer.ErrorTypes.MEDIA_ERROR) hls.recoverMediaError();
    });
    hls.loadSource(source);
    hls.attachMedia(video);
  }

  stop(): void {
    this.hls?.destroy();
    this.hls = undefined;
    this.sessionId = undefined;
    document.getElementById(this.ids.renditions)?.replaceChildren(); // gone with its page, or not drawn yet
  }

  /** Auto plus one button per level; the active one is marked. */
  private renderSwitcher(): void {
    const hls = this.hls;
    if (!hls) return;
    const choices = [
      { index: -1, label: 'Auto' },
      ...hls.levels.map((level, index) => ({ index, label: `${levelName(level)} (${level.width}x${level.height})` })),
    ];
    byId(this.ids.renditions).replaceChildren(
      ...choices.map(({ index, label }) => {
        const choice = el('button', label);
        choice.type = 'button';
        choice.dataset.level = String(index);
        const active = index === -1 ? hls.autoLevelEnabled : !hls.autoLevelEnabled && hls.currentLevel === index;
        if (active) choice.className = 'active';
        choice.addEventListener('click', () => {
          hls.currentLevel = index;
          this.renderSwitcher();
        });
        return choice;
      }),
    );
  }
}
