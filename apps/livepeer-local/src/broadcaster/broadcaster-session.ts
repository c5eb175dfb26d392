import { SOURCE_BANDWIDTH, SOURCE_RENDITION, type LivepeerProfile } from '@lib/livepeer';
import { MediaWindow, renderMaster, segmentPath, type Variant } from './playlists';

/**
 * One push session of a broadcaster: the ladder it transcodes into, and per rendition
 * (`source` first) its playlist window and the segment bytes it still keeps. Pure state:
 * no timers, no I/O.
 */
export class BroadcasterSession {
  private readonly windows = new Map<string, MediaWindow>();
  private readonly variants: Variant[] = [];
  private readonly stored = new Map<string, Map<number, Buffer>>();
  /** every sequence number completed in this session (numbers only: cheap, never evicted) */
  private readonly completed = new Set<number>();
  lastPushAt = Date.now();

  constructor(
    /** the id segments are pushed under (`/live/{externalId}/...`) */
    readonly externalId: string,
    /** the id playlists are served under (the webhook may rename it) */
    readonly manifestId: string,
    readonly profiles: readonly LivepeerProfile[],
    readonly sourceResolution: string | undefined,
    private readonly keepSegments: number,
  ) {
    // go-livepeer registers the source rendition when the session is created.
    this.addVariant({ rendition: SOURCE_RENDITION, bandwidth: SOURCE_BANDWIDTH, resolution: sourceResolution });
  }

  get renditionNames(): string[] {
    return this.variants.map((v) => v.rendition);
  }

  hasCompleted(seq: number): boolean {
    return this.completed.has(seq);
  }

  get segmentsCompleted(): number {
    return this.completed.size;
  }

  /** The transcoded renditions of a completed segment, in profile order, if all are still kept. */
  renditionsOf(seq: number): Buffer[] | undefined {
    const buffers = this.profiles.map((p) => this.stored.get(p.name)?.get(seq));
    return buffers.every((b): b is Buffer => b !== undefined) ? buffers : undefined;
  }

  /**
   * Records a transcoded segment in every rendition at once, so playlists of all renditions
   * list the same sequence numbers. A sequence number already completed is ignored (a retried push).
   */
  addSegment(seq: number, durationMs: number, source: Buffer, renditions: Buffer[]): boolean {
    if (this.completed.has(seq)) return false;
    this.completed.add(seq);
    this.store(SOURCE_RENDITION, seq, durationMs, source);
    this.profiles.forEach((profile, i) => {
      if (!this.windows.has(profile.name)) {
        this.addVariant({
          rendition: profile.name,
          bandwidth: profile.bitrate,
          resolution: `${profile.width}x${profile.height}`,
        });
      }
      this.store(profile.name, seq, durationMs, renditions[i]);
    });
    return true;
  }

  masterPlaylist(): string {
    return renderMaster(this.manifestId, this.variants);
  }

  mediaPlaylist(rendition: string): string | undefined {
    return this.windows.get(rendition)?.render((seq) => segmentPath(this.manifestId, rendition, seq));
  }

  segment(rendition: string, seq: number): Buffer | undefined {
    return this.stored.get(rendition)?.get(seq);
  }

  private addVariant(variant: Variant) {
    this.variants.push(variant);
    this.windows.set(variant.rendition, new MediaWindow());
    this.stored.set(variant.rendition, new Map());
  }

  private store(rendition: string, seq: number, durationMs: number, data: Buffer) {
    this.windows.get(rendition)!.insert({ seq, durationMs });
    const kept = this.stored.get(rendition)!;
    kept.set(seq, data);
    // Evict the lowest sequence numbers first (Map order is arrival order, not seq order).
    while (kept.size > this.keepSegments) kept.delete(Math.min(...kept.keys()));
  }
}
