import { Logger } from '@nestjs/common';
import type { ConfigOf, stitcherConfig } from '@lib/config';
import { SOURCE_RENDITION, type DropReason, type LedgerService, type RenditionSegmentRepository, type SessionEntity } from '@lib/database';
import type { SegmentTranscodedEvent } from '@lib/queue';
import type { UpstreamFetchError } from '../upstream/bounded-fetch';
import type { UpstreamClient, UpstreamSegment } from '../upstream/upstream.client';
import { decide, type Availability, type LedgerFacts, type SkipWhy } from './frontier';
import { renditionKeysFor } from './rendition-keys';
import type { RepublishMetrics } from './republish.metrics';
import type { SessionLifecycle } from './session-lifecycle';
import type { StreamPlaylists } from './stream-playlists';
import { ReceivedSegment, SegmentStorage, receivedBytes, receivedFromBucket } from './received-segment';
import { repushPayload, type UploadRepush } from './upload-repush';

/** The relay's own variant made from ingest's source segments. */
export const SOURCE_VARIANT = SOURCE_RENDITION;

/** What a session's republisher works with. */
export interface SessionRepublisherDeps {
  settings: Pick<ConfigOf<typeof stitcherConfig>, 'pollIntervalMs' | 'deadlineFactor'>;
  /** Where the upstream (amalgamated) rendition playlists are. */
  playbackUrl: string;
  /** Source seqs ingest recorded; republished ones are marked there. */
  ledger: Pick<LedgerService, 'window' | 'markRepublished' | 'get'>;
  renditions: Pick<RenditionSegmentRepository, 'lastResolvedSeq'>;
  upstream: Pick<UpstreamClient, 'renditionSegments' | 'segment'>;
  /** The source segments ingest stored. */
  storage: SegmentStorage;
  metrics: RepublishMetrics;
  /** Enqueues a seq that was uploaded but is not coming again. */
  repush: Pick<UploadRepush, 'enqueue' | 'heldByDeadWorker'>;
  /** Told of each listing and skip (lifecycle webhooks); none in tests that do not look. */
  lifecycle?: Pick<SessionLifecycle, 'listed' | 'skipped'>;
}
/** How far ahead of the frontier segments are downloaded and kept in memory. */
export const LOOKAHEAD = 20;
/** Pause before a failed download of the same segment is tried again. */
const RETRY_AFTER_MS = 500;
/**
 * A seq still `queued` this long after it was enqueued has its upload job checked for a dead
 * worker (a live one starts a job within milliseconds; pushing takes longer, so the check
 * repeats at this interval while it stays queued).
 */
const ORPHAN_CHECK_INTERVAL_MS = 250;
/** Upstream errors of one rendition are logged at most this often. */
const ERROR_LOG_INTERVAL_MS = 10_000;

/** Variant names become object keys and URL path parts: letters, digits, `_`, `-`, `.`; no dot-only names. */
export function isSafeVariantName(name: string): boolean {
  return /^[A-Za-z0-9_.-]{1,64}$/.test(name) && !/^\.+$/.test(name);
}

interface LedgerRow extends LedgerFacts {
  queuedAt: number | null;
  uploadedAt: number | null;
  objectKey: string;
  /** When its first frame reached ingest: the base of its program date-time. */
  startedAt: number | null;
  /** The push answer's renditions (name -> object key), null on the playlist path. */
  renditions: Record<string, string> | null;
  dropReason: DropReason | null;
}

/**
 * Drops after which the source segment is still in the bucket and whole: no broadcaster (or
 * no Livepeer stream, or no queue) took it in time, so viewers get it in `source` with gaps in
 * the renditions. Other drops (ingest refused the segment, the object is gone, a broadcaster
 * rejected the segment itself) leave nothing worth listing.
 */
const SOURCE_PLAYABLE_DROPS: ReadonlySet<DropReason> = new Set(['deadline-exceeded', 'no-livepeer-stream', 'queue-unavailable']);

/** Where a variant of a seq comes from: the bucket (source, push answer) or a broadcaster. */
type Origin = { from: 'bucket'; key: string; kind: 'source' | 'rendition' } | { from: 'upstream'; uri: string };

/** The effective upstream poll interval: POLL_INTERVAL_MS, at most a quarter of the target duration. */
export function pollIntervalOf(pollIntervalMs: number, targetDurationSeconds: number): number {
  return Math.max(1, Math.min(pollIntervalMs, (targetDurationSeconds * 1000) / 4));
}

/**
 * Republishes one session: takes each seq's renditions from the bucket when the push answer had
 * them (ledger row or the worker's announcement), polls the upstream rendition playlists only
 * for seqs uploaded without them, downloads segments (and the source from the object store)
 * ahead of time, and advances the frontier
 * one source seq at a time (see frontier.ts), listing or skipping it in every variant through
 * the stream's playlists. Single-threaded by construction: only the stream's loop calls tick().
 */
export class SessionRepublisher {
  private readonly logger = new Logger(SessionRepublisher.name);
  renditions: { name: string; playlistUrl: string }[];
  variants: string[];
  private nextSeq?: number;
  private ledger = new Map<number, LedgerRow>();
  private readonly received = new Map<string, Map<number, ReceivedSegment>>();
  private readonly failures = new Map<string, Map<number, { error: string; at: number; unreachable: boolean }>>();
  private readonly upstream = new Map<string, Map<number, UpstreamSegment>>();
  private readonly inflight = new Set<string>();
  private readonly polling = new Set<string>();
  private readonly lastPollAt = new Map<string, number>();
  private readonly lastErrorLogAt = new Map<string, number>();
  /** When a seq without a ledger row (a hole) was first noticed. */
  private readonly holeSince = new Map<number, number>();
  private superseded = false;
  /** The renditions of the session's Livepeer stream were taken (at open, or once it was created). */
  private renditionsJoined = false;
  private ledgerReadAt = 0;
  /** Renditions the worker announced, per seq, before the ledger read shows them (null: playlist path). */
  private readonly announced = new Map<number, Record<string, string> | null>();
  /** An announcement on the playlist path came: poll the playlists now, not at the next interval. */
  private pollNow = false;
  /** Seqs enqueued again (once each). */
  private readonly repushed = new Set<number>();
  /** Seqs whose upload job a dead worker holds; when each was last checked, and a check running. */
  private readonly orphaned = new Set<number>();
  private readonly orphanCheckedAt = new Map<number, number>();
  private orphanCheck?: number;
  /** When the playlists last got a segment of this session, or the session was opened. */
  private lastListedAt = Date.now();
  /** The previous seq was listed with gaps: the renditions are out (logged when it changes). */
  private degraded = false;
  private readonly lastUnknownLogAt = new Map<string, number>();

  constructor(
    public session: SessionEntity,
    private readonly playlists: StreamPlaylists,
    private readonly ctx: SessionRepublisherDeps,
    /** Called when background work (a poll, a download) finished: the stream loop runs again at once. */
    private readonly wake: () => void,
  ) {
    this.renditions = this.renditionsOfSession();
    this.variants = [...this.renditions.map((r) => r.name), SOURCE_VARIANT];
    for (const name of this.variants) this.track(name);
  }

  private renditionsOfSession(): { name: string; playlistUrl: string }[] {
    return renditionsOf(this.session, this.ctx.playbackUrl, (name) =>
      this.logger.error({ sessionId: this.session.id, rendition: name }, 'rendition name unusable in a URL path; not republished'),
    );
  }

  private track(variant: string): void {
    this.received.set(variant, new Map());
    this.failures.set(variant, new Map());
    this.upstream.set(variant, new Map());
  }

  /**
   * A session published while the Livepeer API was down starts with the source alone (no
   * Livepeer stream, no renditions yet); once ingest records its stream, its renditions join
   * from the next seq on (earlier seqs had no broadcaster to make them).
   */
  private async joinRenditions(): Promise<void> {
    if (this.renditionsJoined || !this.session.livepeerStreamId) return;
    this.renditionsJoined = true;
    const joining = this.renditionsOfSession().filter((r) => !this.variants.includes(r.name));
    if (joining.length === 0) return;
    for (const r of joining) this.track(r.name);
    this.renditions = [...this.renditions, ...joining];
    this.variants = [...this.renditions.map((r) => r.name), SOURCE_VARIANT];
    await this.playlists.joinVariants(this.variants);
    this.logger.log(
      { sessionId: this.session.id, renditions: joining.map((r) => r.name) },
      'Livepeer stream created late: renditions join',
    );
  }

  get id(): string {
    return this.session.id;
  }

  /** Continues after the last seq a previous writer resolved, if any. */
  async open(): Promise<void> {
    const last = await this.ctx.renditions.lastResolvedSeq(this.session.id);
    this.nextSeq = last === undefined ? undefined : last + 1;
    await this.playlists.openSession(this.variants, this.session.targetDuration);
    this.renditionsJoined = Boolean(this.session.livepeerStreamId);
    this.lastListedAt = Date.now();
  }

  /** The poll interval of this session's upstream playlists (and of its stream loop). */
  get pollIntervalMs(): number {
    return pollIntervalOf(this.ctx.settings.pollIntervalMs, this.session.targetDuration);
  }

  /** The worker uploaded a seq of this session: take its renditions, or poll now; the caller wakes the loop. */
  notify(event: SegmentTranscodedEvent): void {
    if (event.sessionId !== this.session.id) return;
    // Resolved already, or beyond what is kept in memory (its ledger row says the same later).
    if (this.nextSeq !== undefined && (event.seq < this.nextSeq || event.seq >= this.nextSeq + LOOKAHEAD)) return;
    this.announced.set(event.seq, event.renditions);
    if (!event.renditions) this.pollNow = true;
    // The announcement says all a known row lacks (uploaded, and where its renditions are): the
    // ledger is read again only for a seq this copy has not seen yet, saving a query on the
    // path every segment takes.
    if (!this.ledger.has(event.seq)) this.ledgerReadAt = 0;
  }

  /** A newer session of the stream started: this one is over even if nobody said so. */
  supersede(): void {
    this.superseded = true;
  }

  get ended(): boolean {
    return this.superseded || this.session.state === 'ended' || this.session.state === 'failed';
  }

  /** When the session ended (for the ENDLIST grace period). */
  get endedAt(): number | undefined {
    return this.ended ? (this.session.endedAt ?? Date.now()) : undefined;
  }

  /** Ended, and every segment ingest recorded is resolved. */
  get drained(): boolean {
    return this.ended && this.nextSeq !== undefined && this.ledger.size === 0;
  }

  /** Ended before ingest recorded any segment: nothing to republish. */
  get empty(): boolean {
    return this.ended && this.nextSeq === undefined;
  }

  /** Polls and downloads running in the background (each calls `wake` when it finishes). */
  get pendingWork(): number {
    return this.polling.size + this.inflight.size;
  }

  /** One step: read the ledger, start polls and downloads, list or skip what can be decided. */
  async tick(): Promise<void> {
    // Steps also run whenever a download completes: the ledger is read at most every half poll
    // interval then, but on every step once the session has ended (its last rows decide the end).
    if (this.ended || Date.now() - this.ledgerReadAt >= this.pollIntervalMs / 2) {
      this.ledgerReadAt = Date.now();
      await this.refreshLedger();
    }
    if (this.nextSeq === undefined) return;
    await this.joinRenditions();
    this.startPolls();
    this.startDownloads();
    await this.advance();
  }

  /** Source segments at and after the frontier, from the ledger ingest writes. */
  private async refreshLedger(): Promise<void> {
    const rows = await this.ctx.ledger.window(this.session.id, this.nextSeq, LOOKAHEAD);
    if (this.nextSeq === undefined && rows.length) this.nextSeq = rows[0].seq;
    this.ledger = new Map(
      rows.map((r) => [
        r.seq,
        {
          state: r.state,
          ingestedAt: r.ingestedAt,
          durationMs: r.durationMs,
          queuedAt: r.queuedAt ?? null,
          uploadedAt: r.uploadedAt,
          objectKey: r.objectKey,
          startedAt: r.startedAt ?? null,
          renditions: r.renditions ?? null,
          dropReason: r.dropReason ?? null,
        },
      ]),
    );
  }

  /** Uploaded (by the ledger or an announcement): a broadcaster has transcoded it. */
  private uploaded(seq: number): boolean {
    const state = this.ledger.get(seq)?.state;
    return state === 'uploaded' || state === 'republished' || this.announced.has(seq);
  }

  /** Bucket keys of the push answer's renditions of a seq, per variant. */
  private renditionKeys(seq: number): Map<string, string> {
    const renditions = this.ledger.get(seq)?.renditions ?? this.announced.get(seq);
    return renditionKeysFor(this.variants, renditions, (name) => {
      const now = Date.now();
      if (now - (this.lastUnknownLogAt.get(name) ?? 0) < ERROR_LOG_INTERVAL_MS) return;
      this.lastUnknownLogAt.set(name, now);
      this.logger.warn(
        { sessionId: this.session.id, seq, rendition: name },
        'push answer has a rendition this session does not republish; ignored',
      );
    });
  }

  /** Where a variant of a seq can be downloaded from now, if anywhere yet. */
  private originOf(variant: string, seq: number, row: LedgerRow): Origin | undefined {
    if (variant === SOURCE_VARIANT) {
      if (row.state === 'dropped' && !(row.dropReason && SOURCE_PLAYABLE_DROPS.has(row.dropReason))) return undefined;
      return { from: 'bucket', key: row.objectKey, kind: 'source' };
    }
    // Dropped by the worker: no broadcaster has it (a late answer's renditions still count).
    if (row.state === 'dropped' && !this.renditionKeys(seq).has(variant)) return undefined;
    const key = this.renditionKeys(seq).get(variant);
    if (key) return { from: 'bucket', key, kind: 'rendition' };
    const uri = this.upstream.get(variant)!.get(seq)?.uri;
    return uri ? { from: 'upstream', uri } : undefined;
  }

  /**
   * A rendition's playlist is polled only while a seq is uploaded without that rendition in the
   * push answer and not seen upstream yet (or its download from there failed: after a failover
   * another broadcaster lists it): a session whose answers all had renditions makes no polls
   * (each would make the broadcasters that do not hold it answer 404).
   */
  private awaitsPlaylist(variant: string): boolean {
    const from = this.nextSeq!;
    for (let seq = from; seq < from + LOOKAHEAD; seq++) {
      if (!this.uploaded(seq) || this.ledger.get(seq)?.state === 'dropped') continue;
      if (this.received.get(variant)!.has(seq)) continue;
      if (this.upstream.get(variant)!.has(seq) && !this.failures.get(variant)!.has(seq)) continue;
      if (!this.renditionKeys(seq).has(variant)) return true;
    }
    return false;
  }

  private startPolls(): void {
    const now = Date.now();
    const pollNow = this.pollNow;
    this.pollNow = false;
    for (const rendition of this.renditions) {
      if (this.polling.has(rendition.name) || !this.awaitsPlaylist(rendition.name)) continue;
      if (!pollNow && now - (this.lastPollAt.get(rendition.name) ?? 0) < this.pollIntervalMs * 0.9) continue;
      this.polling.add(rendition.name);
      this.lastPollAt.set(rendition.name, now);
      void this.poll(rendition).finally(() => {
        this.polling.delete(rendition.name);
        this.wake();
      });
    }
  }

  private async poll(rendition: { name: string; playlistUrl: string }): Promise<void> {
    const started = Date.now();
    let segments: UpstreamSegment[];
    try {
      segments = await this.ctx.upstream.renditionSegments(rendition.playlistUrl);
    } catch (err) {
      if ((err as UpstreamFetchError).status === 404) {
        // The usual answer until a broadcaster has transcoded the session's first segment.
        this.ctx.metrics.upstreamErrors.inc({ kind: 'playlist-missing' });
        return;
      }
      this.ctx.metrics.upstreamErrors.inc({ kind: 'playlist' });
      this.logRateLimited(rendition.name, 'upstream playlist unusable; retrying', {
        url: rendition.playlistUrl,
        err: (err as Error).message,
      });
      return;
    }
    this.ctx.metrics.pollSeconds.observe({ rendition: rendition.name }, (Date.now() - started) / 1000);
    const seen = this.upstream.get(rendition.name)!;
    const from = this.nextSeq ?? 0;
    for (const segment of segments) {
      if (segment.seq < from || segment.seq >= from + LOOKAHEAD) continue; // stale, or too far ahead to trust
      const known = seen.get(segment.seq);
      seen.set(segment.seq, segment); // the newest URI wins: after a failover another broadcaster has it
      const uploadedAt = this.ledger.get(segment.seq)?.uploadedAt;
      if (!known && uploadedAt)
        this.ctx.metrics.pollLagSeconds.observe({ rendition: rendition.name }, Math.max(0, Date.now() - uploadedAt) / 1000);
    }
  }

  private startDownloads(): void {
    const from = this.nextSeq!;
    const now = Date.now();
    for (let seq = from; seq < from + LOOKAHEAD; seq++) {
      const row = this.ledger.get(seq);
      if (!row) break;
      for (const variant of this.variants) {
        if (this.received.get(variant)!.has(seq) || this.inflight.has(`${variant}:${seq}`)) continue;
        const failed = this.failures.get(variant)!.get(seq);
        if (failed && now - failed.at < RETRY_AFTER_MS) continue;
        const origin = this.originOf(variant, seq, row);
        if (origin) this.download(variant, seq, row, origin);
      }
    }
  }

  private download(variant: string, seq: number, row: LedgerRow, origin: Origin): void {
    const key = `${variant}:${seq}`;
    this.inflight.add(key);
    const started = Date.now();
    // From a broadcaster: the whole segment. From the bucket: its size and head only (it is listed by a copy).
    const received =
      origin.from === 'upstream'
        ? this.ctx.upstream.segment(origin.uri).then((data) => receivedBytes(data, row.durationMs))
        : receivedFromBucket(this.ctx.storage, origin.key, row.durationMs);
    void received
      .then((segment) => {
        if (this.nextSeq !== undefined && seq < this.nextSeq) return; // resolved meanwhile
        this.received.get(variant)!.set(seq, segment);
        this.failures.get(variant)!.delete(seq);
        this.ctx.metrics.fetchSeconds.observe({ rendition: variant }, (Date.now() - started) / 1000);
      })
      .catch((err: Error) => {
        const unreachable = origin.from === 'upstream' && (err as UpstreamFetchError).unreachable === true;
        this.failures.get(variant)!.set(seq, { error: err.message, at: Date.now(), unreachable });
        this.ctx.metrics.upstreamErrors.inc({ kind: origin.from === 'upstream' ? 'segment' : origin.kind });
        this.logRateLimited(variant, 'segment download failed; retrying until its deadline', { seq, err: err.message });
      })
      .finally(() => {
        this.inflight.delete(key);
        this.wake();
      });
  }

  private async advance(): Promise<void> {
    for (;;) {
      const seq = this.nextSeq!;
      const row = this.ledger.get(seq);
      if (!row) {
        // A hole: ingest recorded a later seq but not this one. Wait a deadline, then skip it.
        const later = [...this.ledger.keys()].some((s) => s > seq);
        if (!later) return;
        if (!this.holeSince.has(seq)) this.holeSince.set(seq, Date.now());
      }
      if (row?.state === 'queued') this.checkOrphaned(seq, row);
      const decision = decide(
        {
          seq,
          ledger: row,
          laterKnownSince: this.holeSince.get(seq),
          variants: this.availability(seq),
          ...this.laterFacts(seq),
          repushed: this.repushed.has(seq),
          orphaned: this.orphaned.has(seq),
        },
        {
          now: Date.now(),
          deadlineFactor: this.ctx.settings.deadlineFactor,
          targetDurationMs: this.session.targetDuration * 1000,
          lastListedAt: this.lastListedAt,
        },
      );
      if (decision.action === 'wait') return;
      if (decision.action === 'repush') return this.repush(seq);
      if (decision.action === 'list') {
        await this.list(seq, row!, decision.gaps, decision.why);
        this.lastListedAt = Date.now();
      } else await this.skip(seq, decision.reasons, decision.why);
      this.forget(seq);
      this.nextSeq = seq + 1;
    }
  }

  /**
   * Whether a seq after `seq` is ready in every variant, whether one is at least known (listed
   * upstream, or in the bucket), and whether one has its source ready.
   */
  private laterFacts(seq: number): { laterReady: boolean; laterSeen: boolean; laterSourceReady: boolean } {
    let laterReady = false;
    let laterSeen = false;
    let laterSourceReady = false;
    for (const [later, row] of this.ledger) {
      if (later <= seq) continue;
      const ready = this.variants.every((v) => this.received.get(v)!.has(later));
      laterReady ||= ready;
      laterSeen ||= ready || this.variants.every((v) => this.received.get(v)!.has(later) || this.originOf(v, later, row) !== undefined);
      laterSourceReady ||= this.received.get(SOURCE_VARIANT)!.has(later);
    }
    return { laterReady, laterSeen, laterSourceReady };
  }

  /** Asks, at most every ORPHAN_CHECK_INTERVAL_MS, whether a queued frontier seq's worker died; wakes the loop when it did. */
  private checkOrphaned(seq: number, row: LedgerRow): void {
    const now = Date.now();
    if (this.orphanCheck !== undefined || this.orphaned.has(seq) || this.repushed.has(seq)) return;
    if (now - (row.queuedAt ?? row.ingestedAt) < ORPHAN_CHECK_INTERVAL_MS) return;
    if (now - (this.orphanCheckedAt.get(seq) ?? 0) < ORPHAN_CHECK_INTERVAL_MS) return;
    this.orphanCheckedAt.set(seq, now);
    this.orphanCheck = seq;
    void this.ctx.repush
      .heldByDeadWorker(this.session.id, seq)
      .then((dead) => {
        if (!dead) return;
        this.orphaned.add(seq);
        this.logger.warn({ sessionId: this.session.id, seq }, 'upload job held by a worker that is gone; pushing the segment again');
        this.wake();
      })
      .catch((err: Error) => this.logRateLimited(SOURCE_VARIANT, 'cannot check the upload job', { seq, err: err.message }))
      .finally(() => (this.orphanCheck = undefined));
  }

  /** Enqueues an uploaded seq that is not coming again, once; the frontier waits for it meanwhile. */
  private repush(seq: number): void {
    this.repushed.add(seq);
    this.logger.warn({ sessionId: this.session.id, seq }, 'uploaded segment not coming while later ones are; pushing it again');
    void this.ctx.ledger
      .get(this.session.id, seq)
      .then((row) => (row ? this.ctx.repush.enqueue(repushPayload(this.session, row)) : undefined))
      .catch((err: Error) =>
        this.logger.warn({ sessionId: this.session.id, seq, err: err.message }, 'could not enqueue the segment again'),
      );
  }

  private availability(seq: number): Record<string, Availability> {
    return Object.fromEntries(
      this.variants.map((variant): [string, Availability] => {
        if (this.received.get(variant)!.has(seq)) return [variant, { state: 'ready' }];
        const failed = this.failures.get(variant)!.get(seq);
        if (failed) return [variant, { state: 'failed', error: failed.error, unreachable: failed.unreachable }];
        const row = this.ledger.get(seq);
        return [variant, row && this.originOf(variant, seq, row) ? { state: 'coming' } : { state: 'absent' }];
      }),
    );
  }

  private async list(seq: number, row: LedgerRow, gaps: Record<string, DropReason>, why?: SkipWhy): Promise<void> {
    const withMedia = this.variants.filter((v) => !(v in gaps));
    const segments = new Map(withMedia.map((v) => [v, this.received.get(v)!.get(seq)!]));
    const msn = await this.playlists.list(this.session.id, seq, segments, row.startedAt, new Map(Object.entries(gaps)));
    // Listed is listed: a ledger hiccup must not make the frontier try this seq again. A seq the
    // worker dropped stays dropped (the ledger only moves forward); its source rows say it was listed.
    if (row.state !== 'dropped') {
      await this.ctx.ledger
        .markRepublished(this.session.id, seq)
        .catch((err: Error) => this.logger.warn({ sessionId: this.session.id, seq, err: err.message }, 'ledger not updated'));
    }
    const lag = Math.max(0, Date.now() - row.ingestedAt) / 1000;
    for (const variant of withMedia) {
      this.ctx.metrics.republished.inc({ rendition: variant });
      this.ctx.metrics.republishLagSeconds.observe({ rendition: variant }, lag);
    }
    for (const [variant, reason] of Object.entries(gaps)) this.ctx.metrics.gaps.inc({ rendition: variant, reason });
    this.noteDegraded(seq, msn, gaps, why);
    this.logger.debug({ sessionId: this.session.id, seq, msn }, 'segment republished');
    await this.ctx.lifecycle?.listed(this.playlists.stream, this.session, seq);
  }

  /** Logs the moments the renditions go out (listed with gaps) and come back. */
  private noteDegraded(seq: number, msn: number, gaps: Record<string, DropReason>, why?: SkipWhy): void {
    const degraded = Object.keys(gaps).length > 0;
    if (degraded && !this.degraded) {
      this.logger.warn(
        { sessionId: this.session.id, seq, msn, why, renditions: Object.keys(gaps) },
        'renditions missing: listing the source with #EXT-X-GAP in the renditions until they come back',
      );
    } else if (!degraded && this.degraded) {
      this.logger.log({ sessionId: this.session.id, seq, msn }, 'renditions back: every variant lists media again');
    }
    this.degraded = degraded;
  }

  private async skip(seq: number, reasons: Record<string, DropReason>, why: SkipWhy): Promise<void> {
    await this.playlists.skip(this.session.id, seq, reasons);
    for (const [variant, reason] of Object.entries(reasons)) this.ctx.metrics.dropped.inc({ rendition: variant, reason });
    const details = Object.fromEntries(
      this.variants.map((v) => [
        v,
        this.failures.get(v)!.get(seq)?.error ?? (this.received.get(v)!.has(seq) ? 'ready' : 'never listed upstream'),
      ]),
    );
    this.logger.warn({ sessionId: this.session.id, seq, why, details }, 'segment skipped in every variant');
    await this.ctx.lifecycle?.skipped(this.playlists.stream, this.session, seq, reasons);
  }

  private forget(seq: number): void {
    for (const variant of this.variants) {
      this.received.get(variant)!.delete(seq);
      this.failures.get(variant)!.delete(seq);
      this.upstream.get(variant)!.delete(seq);
    }
    this.holeSince.delete(seq);
    this.ledger.delete(seq);
    this.announced.delete(seq);
    this.repushed.delete(seq);
    this.orphaned.delete(seq);
    this.orphanCheckedAt.delete(seq);
  }

  private logRateLimited(variant: string, message: string, fields: Record<string, unknown>): void {
    const now = Date.now();
    if (now - (this.lastErrorLogAt.get(variant) ?? 0) < ERROR_LOG_INTERVAL_MS) return;
    this.lastErrorLogAt.set(variant, now);
    this.logger.warn({ sessionId: this.session.id, rendition: variant, ...fields }, message);
  }
}

/**
 * The renditions to republish and where their upstream playlists are: the `renditions` map the
 * API returned, or, when it is empty (the 2020 API for profile-based streams), one per profile.
 */
export function renditionsOf(
  session: Pick<SessionEntity, 'renditions' | 'profiles' | 'livepeerStreamId'>,
  playbackUrl: string,
  onUnsafe: (name: string) => void = () => undefined,
): { name: string; playlistUrl: string }[] {
  const defaultPath = (name: string) => `/stream/${encodeURIComponent(session.livepeerStreamId ?? '')}/${name}.m3u8`;
  const entries: [string, string][] =
    session.renditions && Object.keys(session.renditions).length
      ? Object.entries(session.renditions)
      : (session.profiles ?? []).map((p) => [p.name, defaultPath(p.name)]);
  const out: { name: string; playlistUrl: string }[] = [];
  for (const [name, path] of entries) {
    if (!isSafeVariantName(name) || name === SOURCE_VARIANT) {
      onUnsafe(name);
      continue;
    }
    const relative = typeof path === 'string' && path.startsWith('/') ? path : defaultPath(name);
    out.push({ name, playlistUrl: `${playbackUrl}${relative}` });
  }
  return out;
}
