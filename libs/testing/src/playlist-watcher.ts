import { parseMasterPlaylist, parseMediaPlaylist, type MasterPlaylist } from '@lib/hls';
import { PlaylistHistoryValidator } from './hls-rules-validator';

export interface WatchedPlaylist {
  validator: PlaylistHistoryValidator;
  last?: string;
  /** every msn ever listed */
  listed: Set<number>;
  /** absolute URL of every msn ever listed */
  uris: Map<number, string>;
  /** distinct versions seen */
  versions: number;
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
        uris: new Map(),
        versions: 0,
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
      const url = new URL(segment.uri, base).toString();
      watched!.uris.set(msn, url);
      this.onSegment?.(name, msn, url);
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

  ended(): boolean {
    return this.media.size > 0 && [...this.media.values()].every((w) => w.last?.includes('#EXT-X-ENDLIST'));
  }
}

