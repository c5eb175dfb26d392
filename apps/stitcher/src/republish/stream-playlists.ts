import { Logger } from '@nestjs/common';
import { createWindow, endWindow, parseMediaPlaylist, writeMasterPlaylist, writeMediaPlaylist, type PlaylistWindow } from '@lib/hls';
import type { ConfigOf, stitcherConfig } from '@lib/config';
import type { DropReason, ListedPosition, RenditionSegmentRepository } from '@lib/database';
import { CONTENT_TYPES, objectKeys } from '@lib/storage';
import type { DeferredDeletes } from './deferred-deletes.service';
import { ReceivedSegment, SegmentStorage, segmentBytes, storeSegment } from './received-segment';
import { LeaseLostError } from './lease-lost';
import type { RepublishMetrics } from './republish.metrics';
import type { StreamObserver } from './stream-observer';
import { probeVariant, raisedBandwidth, spsFingerprint, stillDescribes, variantModel, type VariantInfo } from './variant-info';
import { appendListing, continuationFor, programDateTimeOf, rebuildWindow, type DeclaredPlaylist } from './window-state';

/** Segments probed per variant and session before the variant is given up as indescribable. */
const MAX_PROBE_ATTEMPTS = 3;

/** What a stream's playlists work with. */
export interface StreamPlaylistsDeps {
  settings: Pick<ConfigOf<typeof stitcherConfig>, 'playlistWindowSegments' | 'unlistedDeleteMinMs'>;
  /** The persisted state of the playlists (msns, discontinuities, durations). */
  renditions: Pick<RenditionSegmentRepository, 'lastListed' | 'discontinuitiesBefore' | 'newestListed' | 'record'>;
  storage: SegmentStorage;
  deletes: Pick<DeferredDeletes, 'schedule'>;
  metrics: RepublishMetrics;
  /** Recordings and thumbnails (stream-observer.ts). */
  observer?: StreamObserver;
}

export interface StreamRef {
  id: string;
  playbackId: string;
  /** DVR: seconds a media playlist keeps (read when a session opens); unset: playlistWindowSegments. */
  dvrWindowSeconds?: number | null;
}

/**
 * The republished playlists of one stream: a sliding window per variant and the master
 * playlist. One writer per stream (the lease holder) owns an instance.
 *
 * Every variant lists the same source segments under the same media sequence number (one msn
 * counter per stream), so variants stay aligned across drops and sessions. A listed segment
 * carries a discontinuity unless it directly follows the previous listed one of the same session.
 *
 * Order of every change, so that a crash at any point leaves a state the next writer continues:
 * segment objects -> database rows (msn persisted) -> media playlists -> master playlist.
 */
export class StreamPlaylists {
  private readonly logger = new Logger(StreamPlaylists.name);
  private readonly windows = new Map<string, PlaylistWindow>();
  private readonly variantInfo = new Map<string, VariantInfo>();
  /** Failed probes per variant this session: a variant that cannot be described is not probed forever. */
  private readonly probeFailures = new Map<string, number>();
  private sessionVariants: string[] = [];
  /** The session's target duration (a variant's playlist may declare a larger one). */
  private targetDuration = 1;
  private lastListed?: ListedPosition;
  private nextMsn = 0;
  /** Discontinuities of the stream before nextMsn. */
  private discontinuities = 0;
  private masterText?: string;
  /** Variants whose media playlist changed but could not be written yet. */
  private readonly dirty = new Set<string>();
  /** Segments a media playlist keeps this session (playlistWindowSegments, or the DVR window). */
  private windowSize: number;
  /** The text last written per playlist object key, to check the bucket against. */
  private readonly written = new Map<string, string>();
  private lastVerifiedAt = 0;

  constructor(
    readonly stream: StreamRef,
    private readonly ctx: StreamPlaylistsDeps,
    /** Throws LeaseLostError when this copy no longer holds the stream. */
    private readonly assertLease: () => void,
  ) {
    this.windowSize = ctx.settings.playlistWindowSegments;
  }

  async load(): Promise<void> {
    this.lastListed = await this.ctx.renditions.lastListed(this.stream.playbackId);
    this.nextMsn = this.lastListed ? this.lastListed.msn + 1 : 0;
    this.discontinuities = await this.ctx.renditions.discontinuitiesBefore(this.stream.playbackId, this.nextMsn);
  }

  /**
   * A session starts (or is taken over): its variants' windows, rebuilt from the database as
   * their playlists declare them. A variant whose playlist declares a smaller target duration
   * than the session's is ended (#EXT-X-ENDLIST) and starts anew (see continuationFor).
   */
  async openSession(variants: string[], targetDuration: number): Promise<void> {
    this.sessionVariants = variants;
    this.targetDuration = targetDuration;
    this.variantInfo.clear();
    this.probeFailures.clear();
    this.masterText = undefined;
    this.windowSize = windowSegments(this.stream.dvrWindowSeconds, targetDuration, this.ctx.settings.playlistWindowSegments);
    await this.openVariants(variants, targetDuration);
  }

  /**
   * Variants that join the session while it runs (its Livepeer stream, and so its renditions,
   * came only after the publish started: the API was down). Each continues its playlist as
   * openSession would, and lists from the stream's next msn on; the master gets it once it is
   * described.
   */
  async joinVariants(variants: string[]): Promise<void> {
    const joining = variants.filter((name) => !this.sessionVariants.includes(name));
    if (joining.length === 0) return;
    this.sessionVariants = [...this.sessionVariants, ...joining];
    await this.openVariants(joining, this.targetDuration);
  }

  private async openVariants(variants: string[], targetDuration: number): Promise<void> {
    const limit = this.windowSize * 3 + 20;
    const anew: string[] = [];
    const ending: string[] = [];
    for (const name of variants) {
      const declared = await this.declaredPlaylist(name);
      const plan = continuationFor(declared, targetDuration);
      // Rows before the declared media sequence belong to a playlist that was started anew.
      const rows = (await this.ctx.renditions.newestListed(this.stream.playbackId, name, limit)).filter(
        (row) => !declared || row.msn >= declared.mediaSequence,
      );
      const discontinuitiesBefore = rows.length
        ? await this.ctx.renditions.discontinuitiesBefore(this.stream.playbackId, rows[0].msn)
        : this.discontinuities;
      const current = rebuildWindow({
        targetDuration: plan.startAnew ? declared!.targetDuration : plan.targetDuration,
        windowSize: this.windowSize,
        rows,
        discontinuitiesBefore,
        nextStreamMsn: this.nextMsn,
        ended: false,
      });
      if (!plan.startAnew) {
        this.windows.set(name, current);
        continue;
      }
      anew.push(name);
      if (!declared!.ended && current.segments.length) {
        this.windows.set(name, endWindow(current));
        ending.push(name);
      }
    }
    if (ending.length) {
      this.logger.log(
        { playbackId: this.stream.playbackId, variants: ending, targetDuration },
        `session target duration ${targetDuration} s is larger than the playlists declare: they end and start anew`,
      );
      await this.publish(ending, false);
    }
    for (const name of anew) {
      this.windows.set(name, createWindow({ targetDuration, mediaSequence: this.nextMsn, discontinuitySequence: this.discontinuities }));
    }
  }

  /** What the variant's playlist declares: this copy's window, else the playlist object (none when there is none). */
  private async declaredPlaylist(name: string): Promise<DeclaredPlaylist | undefined> {
    const window = this.windows.get(name);
    if (window) return { targetDuration: window.targetDuration, mediaSequence: window.mediaSequence, ended: window.ended };
    const key = objectKeys.hlsMedia(this.stream.playbackId, name);
    if (!(await this.ctx.storage.stat(key))) return undefined;
    const playlist = parseMediaPlaylist((await this.ctx.storage.getBuffer(key)).toString('utf8'));
    return { targetDuration: playlist.targetDuration, mediaSequence: playlist.mediaSequence, ended: playlist.endList };
  }

  /** Whether the stream's previous listed segment is the one right before (sessionId, seq). */
  follows(sessionId: string, seq: number): boolean {
    return this.lastListed?.sessionId === sessionId && this.lastListed.seq === seq - 1;
  }

  /**
   * Lists one source segment in every variant of the session; `startedAt` is when its first
   * frame reached ingest (the ledger's), the base of its program date-time. Variants in `gaps`
   * have no media for it (their renditions could not be made in time): they list the same msn
   * with `#EXT-X-GAP` and the segment's duration, so every variant keeps the same media
   * sequence, timeline and discontinuity sequence (docs/hls-rules.md rules 8 and 9).
   */
  async list(
    sessionId: string,
    seq: number,
    segments: Map<string, ReceivedSegment>,
    startedAt?: number | null,
    gaps: ReadonlyMap<string, DropReason> = new Map(),
  ): Promise<number> {
    this.assertLease();
    const { playbackId } = this.stream;
    const msn = this.nextMsn;
    const discontinuity = this.lastListed !== undefined && !this.follows(sessionId, seq);
    const programDateTime = programDateTimeOf(startedAt, this.lastListed, discontinuity);
    const durationMs = segments.values().next().value?.durationMs ?? null;
    await this.learnVariants(segments);

    const listed = { sessionId, seq, msn, segments };
    await Promise.all([
      ...[...segments].map(([name, s]) => storeSegment(this.ctx.storage, s, objectKeys.hlsSegment(playbackId, name, msn))),
      this.ctx.observer?.storeListed?.(this.stream, listed),
    ]);
    await this.ctx.renditions.record(
      { sessionId, seq, playbackId, discontinuity, programDateTime },
      [...segments].map(([name, s]) => ({
        rendition: name,
        msn,
        durationMs: s.durationMs,
        bytes: s.size,
        objectKey: objectKeys.hlsSegment(playbackId, name, msn),
      })),
      [],
      [...gaps].map(([rendition, reason]) => ({ rendition, msn, durationMs: durationMs ?? 1, reason })),
    );
    const discontinuitiesBefore = this.discontinuities;
    this.lastListed = { sessionId, seq, msn, programDateTime: programDateTime ?? null, durationMs };
    this.nextMsn = msn + 1;
    if (discontinuity) this.discontinuities += 1;

    const listings: [string, number, boolean][] = [
      ...[...segments].map(([name, s]): [string, number, boolean] => [name, s.durationMs, false]),
      ...[...gaps.keys()].map((name): [string, number, boolean] => [name, durationMs ?? 1, true]),
    ];
    const unlisted: string[] = [];
    for (const [name, segmentMs, gap] of listings) {
      const next = appendListing(this.windows.get(name), {
        msn,
        durationMs: segmentMs,
        discontinuity,
        programDateTime,
        gap,
        targetDuration: this.targetDuration,
        windowSize: this.windowSize,
        discontinuitiesBefore,
      });
      this.windows.set(name, next.window);
      // A gap entry has no object to delete.
      unlisted.push(...next.unlisted.filter((u) => !u.gap).map((u) => objectKeys.hlsSegment(playbackId, name, u.msn)));
    }
    this.ctx.deletes.schedule(unlisted, this.unlistedDeleteDelayMs());
    await this.publish(
      listings.map(([name]) => name),
      true,
    );
    this.ctx.observer?.listed?.(this.stream, listed);
    return msn;
  }

  /** Records a source segment that no variant lists; the next listed one gets the discontinuity. */
  async skip(sessionId: string, seq: number, reasons: Record<string, DropReason>): Promise<void> {
    this.assertLease();
    await this.ctx.renditions.record(
      { sessionId, seq, playbackId: this.stream.playbackId, discontinuity: false },
      [],
      Object.entries(reasons).map(([rendition, reason]) => ({ rendition, reason })),
    );
  }

  /** `#EXT-X-ENDLIST` on these variants' playlists (the stream ended, or they left the ladder). */
  async end(variants: string[]): Promise<void> {
    this.assertLease();
    const ended = variants.filter((name) => {
      const window = this.windows.get(name);
      if (!window || window.segments.length === 0 || window.ended) return false;
      this.windows.set(name, endWindow(window));
      return true;
    });
    await this.publish(ended, false);
  }

  /** Writes playlists a failed write left behind (the next change would also write them). */
  async flush(): Promise<void> {
    if (this.dirty.size) await this.publish([], true);
  }

  /**
   * At most every `intervalMs`: reads back the playlists this writer wrote and rewrites any the
   * bucket holds otherwise (overwritten or deleted by someone else: the object store is shared,
   * the stitcher's state is the truth). The master is otherwise written only when it changes, so
   * without this an overwritten one would be served until the ladder changed. Returns the keys
   * repaired.
   */
  async verify(intervalMs: number, now = Date.now()): Promise<string[]> {
    if (this.dirty.size || now - this.lastVerifiedAt < intervalMs) return [];
    this.lastVerifiedAt = now;
    const differing: [string, string][] = [];
    for (const [key, text] of this.written) {
      const stored = await this.ctx.storage.getBuffer(key).then(
        (b) => b.toString('utf8'),
        () => null,
      );
      if (stored !== text) differing.push([key, text]);
    }
    if (differing.length === 0) return [];
    this.assertLease();
    for (const [key, text] of differing) await this.ctx.storage.put(key, Buffer.from(text), CONTENT_TYPES.playlist);
    const keys = differing.map(([key]) => key);
    this.ctx.metrics.playlistWrites.inc({ kind: 'repair' }, keys.length);
    this.logger.warn(
      { event: 'playlist-repaired', playbackId: this.stream.playbackId, keys },
      'playlists in the bucket differed from this writer; rewritten',
    );
    return keys;
  }

  /**
   * Writes the media playlists of `names` (and any left dirty by a failed write), then the
   * master. The database already holds the change, so a failed write is not fatal: the
   * playlists stay dirty and are written by the next change or flush().
   */
  private async publish(names: string[], master: boolean): Promise<void> {
    for (const name of names) this.dirty.add(name);
    const pending = [...this.dirty];
    try {
      await this.writeMediaPlaylists(pending);
      for (const name of pending) this.dirty.delete(name);
      if (master) await this.writeMaster();
    } catch (err) {
      if (err instanceof LeaseLostError) throw err;
      this.logger.warn({ playbackId: this.stream.playbackId, err: (err as Error).message }, 'playlist write failed; will write again');
    }
  }

  variantsOfSession(): readonly string[] {
    return this.sessionVariants;
  }

  /** Current window of a variant (for tests and the admin API). */
  windowOf(name: string): PlaylistWindow | undefined {
    return this.windows.get(name);
  }

  /** Probes variants not described yet (first segments of a session) and raises peak bandwidths. */
  private async learnVariants(segments: Map<string, ReceivedSegment>): Promise<void> {
    await Promise.all(
      [...segments].map(async ([name, s]) => {
        const known = this.variantInfo.get(name);
        if (known && stillDescribes(known, s.head)) {
          known.bandwidth = raisedBandwidth(known.bandwidth, s.size, s.durationMs);
          return;
        }
        if ((this.probeFailures.get(name) ?? 0) >= MAX_PROBE_ATTEMPTS) return;
        let problem: string;
        try {
          const probed = await probeVariant(await segmentBytes(this.ctx.storage, s), (how) =>
            this.ctx.metrics.variantDescriptions.inc({ how }),
          );
          if (probed) {
            // A changed variant starts its peak afresh: the old one measured another encoding.
            this.variantInfo.set(name, {
              ...probed,
              bandwidth: raisedBandwidth(undefined, s.size, s.durationMs),
              sps: spsFingerprint(s.head),
            });
            if (known)
              this.logger.log(
                { playbackId: this.stream.playbackId, rendition: name, was: known.resolution, now: probed.resolution },
                'variant changed mid-session; master playlist updated',
              );
            return;
          }
          problem = 'no H.264 video with a known profile and level';
        } catch (err) {
          problem = (err as Error).message;
        }
        this.probeFailures.set(name, (this.probeFailures.get(name) ?? 0) + 1);
        this.logger.warn(
          { playbackId: this.stream.playbackId, rendition: name, problem },
          'variant not described; not in the master playlist yet',
        );
      }),
    );
  }

  private async writeMediaPlaylists(names: string[]): Promise<void> {
    this.assertLease();
    await Promise.all(
      names.map(async (name) => {
        const window = this.windows.get(name)!;
        const text = writeMediaPlaylist(window);
        const key = objectKeys.hlsMedia(this.stream.playbackId, name);
        await this.ctx.storage.put(key, Buffer.from(text), CONTENT_TYPES.playlist);
        this.written.set(key, text);
        this.ctx.metrics.playlistWrites.inc({ kind: 'media' });
      }),
    );
  }

  private async writeMaster(): Promise<void> {
    const described = this.sessionVariants.filter((name) => this.variantInfo.has(name) && this.windows.get(name)?.segments.length);
    if (described.length === 0) return;
    const variants = described.map((name) => variantModel(name, this.variantInfo.get(name)!)).sort((a, b) => b.bandwidth - a.bandwidth);
    const text = writeMasterPlaylist({ variants });
    if (text === this.masterText) return;
    this.assertLease();
    const key = objectKeys.hlsMaster(this.stream.playbackId);
    await this.ctx.storage.put(key, Buffer.from(text), CONTENT_TYPES.playlist);
    this.written.set(key, text);
    this.masterText = text;
    this.ctx.metrics.playlistWrites.inc({ kind: 'master' });
  }

  /**
   * Rule 5: an unlisted segment stays downloadable for at least its duration plus the longest
   * playlist that listed it; twice that, and never less than STITCHER_UNLISTED_DELETE_MIN_MS
   * (CDN caches), covers players that read an old version late.
   */
  private unlistedDeleteDelayMs(): number {
    const longest = Math.max(this.targetDuration, ...[...this.windows.values()].map((w) => w.targetDuration));
    const windowMs = (this.windowSize + 1) * longest * 1000;
    return Math.max(this.ctx.settings.unlistedDeleteMinMs, 2 * windowMs);
  }
}

/**
 * Segments a media playlist keeps: PLAYLIST_WINDOW_SEGMENTS, or with a DVR window as many
 * target durations as fit in it (segments last about a target duration), never fewer.
 */
export function windowSegments(
  dvrWindowSeconds: number | null | undefined,
  targetDuration: number,
  playlistWindowSegments: number,
): number {
  if (!dvrWindowSeconds) return playlistWindowSegments;
  return Math.max(playlistWindowSegments, Math.ceil(dvrWindowSeconds / Math.max(targetDuration, 1)));
}
