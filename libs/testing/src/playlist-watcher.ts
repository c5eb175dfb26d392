import { parseMasterPlaylist, parseMediaPlaylist, type MasterPlaylist } from '@lib/hls';
import { PlaylistHistoryValidator } from './hls-rules-validator';

export interface WatchedPlaylist {
  validator: PlaylistHistoryValidator;
  last?: string;
  /** every msn ever listed (with media or as a gap) */
  listed: Set<number>;
  /** msns listed with `#EXT-X-GAP` (no media: players do not load them, neither does `onSegment`) */
  gaps: Set<number>;
  /** absolute URL of every msn ever listed */
  uris: Map<number, string>;
  /** distinct versions seen */
  versions: number;
  /** When each msn was first seen (epoch ms), in the order they appeared. */
  appearedAt: Map<number, number>;
}

/** A period the publisher was sending (epoch ms). */
export interface LiveWindow {
  from: number;
  to: number;
}

/** A playlist that got no new segment for longer than players wait (1.5 x target duration). */
export interface Stall {
  rendition: string;
  from: number;
  to: number;
  ms: number;
}

/**
 * Polls the relay's playlists of one stream the way a player would and checks every version it
 * sees with the HLS rules validator.
 */
export class PlaylistWatcher {
  readonly media = new Map<string, WatchedPlaylist>();
  master?: MasterPlaylist;
  masterText?: string;
  errors: string[] = [];
  /** msn -> the program date-time the first variant listing it wrote, and which variant that was. */
  readonly programDateTimes = new Map<number, { at: number | undefined; variant: string }>();
  /** Variants that wrote another program date-time (or none) for an msn than another variant did. */
  readonly programDateTimeMismatches: string[] = [];
  /** Called once per newly listed segment (e.g. to download it before it slides out). */
  onSegment?: (rendition: string, msn: number, url: string) => void;
  private timer?: NodeJS.Timeout;
  private busy = false;

  constructor(
    /** The stitcher to read from (a test may switch it to another copy). */
    public baseUrl: string,
    private readonly playbackId: string,
    private readonly targetDuration: number,
  ) {}

  start(intervalMs = 100): void {
    this.timer = setInterval(() => void this.poll(), intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async poll(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const master = await fetch(`${this.baseUrl}/hls/${this.playbackId}/index.m3u8`);
      if (master.status !== 200) return;
      this.masterText = await master.text();
      this.master = parseMasterPlaylist(this.masterText);
      for (const variant of this.master.variants) {
        const name = variant.uri.split('/')[0];
        const response = await fetch(`${this.baseUrl}/hls/${this.playbackId}/${variant.uri}`);
        if (response.status !== 200) {
          this.errors.push(`${variant.uri}: ${response.status}`);
          continue;
        }
        this.see(name, await response.text());
      }
    } catch (err) {
      this.errors.push((err as Error).message);
    } finally {
      this.busy = false;
    }
  }

  see(name: string, text: string): void {
    let watched = this.media.get(name);
    if (!watched) {
      watched = {
        validator: new PlaylistHistoryValidator({ targetDuration: this.targetDuration }),
        listed: new Set(),
        gaps: new Set(),
        uris: new Map(),
        versions: 0,
        appearedAt: new Map(),
      };
      this.media.set(name, watched);
    }
    if (watched.last !== text) watched.versions++;
    watched.validator.push(text);
    watched.last = text;
    const playlist = parseMediaPlaylist(text);
    const base = `${this.baseUrl}/hls/${this.playbackId}/${name}/index.m3u8`;
    playlist.segments.forEach((segment, i) => {
      const msn = playlist.mediaSequence + i;
      this.compareProgramDateTime(name, msn, segment.programDateTime);
      if (watched!.listed.has(msn)) return;
      watched!.listed.add(msn);
      watched!.appearedAt.set(msn, Date.now());
      const url = new URL(segment.uri, base).toString();
      watched!.uris.set(msn, url);
      if (segment.gap) watched!.gaps.add(msn);
      else this.onSegment?.(name, msn, url);
    });
  }

  /** Rule 11 across variants: they share msns, so an msn has one program date-time in all of them. */
  private compareProgramDateTime(variant: string, msn: number, at: number | undefined): void {
    const first = this.programDateTimes.get(msn);
    if (!first) {
      this.programDateTimes.set(msn, { at, variant });
      return;
    }
    if (first.at === at) return;
    const text = (ms: number | undefined) => (ms === undefined ? 'none' : new Date(ms).toISOString());
    const mismatch = `${variant} R11-program-date-time: msn ${msn} at ${text(at)}, ${first.variant} has ${text(first.at)}`;
    if (!this.programDateTimeMismatches.includes(mismatch)) this.programDateTimeMismatches.push(mismatch);
  }

  violations(): string[] {
    return [
      ...[...this.media].flatMap(([name, w]) => w.validator.violations.map((v) => `${name} v${v.version} ${v.rule}: ${v.message}`)),
      ...this.programDateTimeMismatches,
    ];
  }

  /**
   * Every interval longer than 1.5 x the target duration without a new segment in a variant
   * while the publisher was live (players stall then, docs/hls-rules.md). A live window starts
   * at the first segment that appeared in it (the first one takes the pipeline's latency) and
   * ends when the publisher stopped; a disconnected period between windows is not checked.
   */
  stalls(liveWindows: LiveWindow[]): Stall[] {
    const limit = 1.5 * this.targetDuration * 1000;
    const out: Stall[] = [];
    for (const [rendition, watched] of this.media) {
      const times = [...watched.appearedAt.values()].sort((a, b) => a - b);
      for (const window of liveWindows) {
        const inside = times.filter((t) => t >= window.from && t <= window.to);
        if (inside.length === 0) continue;
        // Until the publisher stopped a new segment was due: the last interval runs to the stop.
        const points = [...inside, window.to];
        for (let i = 1; i < points.length; i++) {
          const ms = points[i] - points[i - 1];
          if (ms > limit) out.push({ rendition, from: points[i - 1], to: points[i], ms });
        }
      }
    }
    return out;
  }

  ended(): boolean {
    return this.media.size > 0 && [...this.media.values()].every((w) => w.last?.includes('#EXT-X-ENDLIST'));
  }
}
