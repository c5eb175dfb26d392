import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type Redis from 'ioredis';
import { REDIS, REDIS_KEYS, type RedisKeys, parseSessionEvent } from '@lib/queue';
import { LeaseService } from '../lease/lease.service';
import { preferredOwner } from '../lease/rendezvous';
import { RepublishContext } from './republish-context';
import { segmentTranscodedHandler } from './segment-transcoded-handler';
import { SessionDirectory } from './session-directory.service';
import type { StreamRepublisher } from './stream-republisher';

/**
 * Decides which streams this stitcher copy republishes. Every scan (and at once on a session
 * event) it reads the streams with unfinished sessions, takes the free leases of the streams
 * rendezvous hashing gives to this copy (or any stream left without a writer for a lease TTL),
 * runs a StreamRepublisher per stream it holds, and releases the leases of finished streams.
 * Leases are renewed on their own thread (LeaseService), so neither a slow scan nor a busy
 * republish loop lets one lapse. The worker's
 * segment-transcoded announcements (on the same subscriber connection) go to the stream loop of
 * the session they concern, if this copy writes that stream, which acts on them at once.
 */
@Injectable()
export class StitcherCoordinator implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(StitcherCoordinator.name);
  private readonly republishers = new Map<string, StreamRepublisher>();
  /** Streams seen without any lease holder, since when. */
  private readonly unownedSince = new Map<string, number>();
  /** The holder last read from a stream's lease, for streams another copy writes. */
  private readonly knownOwner = new Map<string, string>();
  private subscriber?: Redis;
  private scanTimer?: NodeJS.Timeout;
  private scanning?: Promise<void>;
  private rescan = false;
  private shuttingDown = false;

  constructor(
    private readonly ctx: RepublishContext,
    private readonly lease: LeaseService,
    private readonly directory: SessionDirectory,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(REDIS_KEYS) private readonly keys: RedisKeys,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.subscribe();
    this.lease.onLost((streamId) => void this.leaseLost(streamId));
    this.scanTimer = setInterval(() => this.scanSoon(), this.ctx.settings.scanIntervalMs);
    this.scanSoon();
  }

  /**
   * Before connections close (onApplicationShutdown): the ended sessions of the streams held
   * are closed with #EXT-X-ENDLIST (StreamRepublisher.stop, within STITCHER_SHUTDOWN_GRACE_MS,
   * the leases still renewed meanwhile), then the leases are released while Redis still answers.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.shuttingDown = true;
    clearInterval(this.scanTimer);
    await this.scanning;
    await this.refreshSessions();
    // Hand the streams over at once instead of letting the leases expire.
    await Promise.all(
      [...this.republishers].map(async ([streamId, republisher]) => {
        await republisher.stop(this.ctx.settings.shutdownGraceMs);
        await this.lease.release(streamId).catch(() => undefined);
      }),
    );
    this.republishers.clear();
    await this.lease.leave().catch(() => undefined);
    await this.subscriber?.quit().catch(() => undefined);
  }

  /** The held streams' sessions as the database has them now: ends since the last scan count at shutdown. */
  private async refreshSessions(): Promise<void> {
    if (this.republishers.size === 0 || this.ctx.settings.shutdownGraceMs === 0) return;
    try {
      const work = await this.directory.unfinishedByStream();
      for (const [streamId, republisher] of this.republishers) republisher.update(work.get(streamId)?.sessions ?? []);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'shutdown: cannot read the sessions; closing what is known');
    }
  }

  /** Streams this copy writes, with the session being republished. */
  owned(): { streamId: string; playbackId: string; sessionId?: string }[] {
    return [...this.republishers.values()].map((r) => ({
      streamId: r.stream.id,
      playbackId: r.stream.playbackId,
      sessionId: r.currentSessionId,
    }));
  }

  get instanceId(): string {
    return this.lease.instanceId;
  }

  /** Runs a scan now, or right after the one in progress. */
  scanSoon(): void {
    if (this.shuttingDown) return;
    if (this.scanning) {
      this.rescan = true;
      return;
    }
    this.scanning = this.scan()
      .catch((err: Error) => this.logger.warn({ err: err.message }, 'scan of live sessions failed; retrying'))
      .finally(() => {
        this.scanning = undefined;
        if (this.rescan) {
          this.rescan = false;
          this.scanSoon();
        }
      });
  }

  private async subscribe(): Promise<void> {
    this.subscriber = this.redis.duplicate();
    this.subscriber.on('error', (err) => this.logger.warn({ err: err.message }, 'session-events subscriber error'));
    const segmentTranscodedChannel = this.keys.segmentTranscodedChannel();
    const onSegmentTranscoded = segmentTranscodedHandler(
      (event) => this.republishers.get(event.streamId)?.segmentTranscoded(event),
      (fields) => this.logger.warn(fields, 'segment-transcoded message unusable; ignored'),
    );
    this.subscriber.on('message', (channel, message) => {
      if (channel === segmentTranscodedChannel) return onSegmentTranscoded(message);
      // Any message on the session-events channel is a reason to look; its content is only logged.
      const event = parseSessionEvent(message);
      if (event) this.logger.debug({ event: event.type, sessionId: event.sessionId }, 'session event');
      else this.logger.warn({ message: message.slice(0, 200) }, 'a message on the session-events channel is not a session event');
      this.scanSoon();
    });
    await this.subscriber
      .subscribe(this.keys.sessionEventsChannel(), segmentTranscodedChannel)
      .catch((err: Error) =>
        this.logger.warn({ err: err.message }, 'cannot subscribe to session and segment events; relying on scans and polls'),
      );
  }

  private async scan(): Promise<void> {
    const members = new Set(await this.lease.heartbeat());
    const work = await this.directory.unfinishedByStream();
    for (const [streamId, { stream, sessions }] of work) {
      if (this.shuttingDown) return;
      let republisher = this.republishers.get(streamId);
      if (!republisher) {
        if (!(await this.mayTake(streamId, members)) || !(await this.lease.tryAcquire(streamId))) continue;
        this.unownedSince.delete(streamId);
        republisher = this.ctx.streamRepublisher(
          { id: stream.id, playbackId: stream.playbackId, dvrWindowSeconds: stream.dvrWindowSeconds },
          () => this.lease.holds(streamId),
          () => this.dropLost(streamId),
        );
        this.republishers.set(streamId, republisher);
        republisher.update(sessions);
        republisher.start();
        this.logger.log({ streamId, playbackId: stream.playbackId, instance: this.lease.instanceId }, 'stream lease taken');
      } else {
        republisher.stream.dvrWindowSeconds = stream.dvrWindowSeconds; // read by the next session
        republisher.update(sessions);
      }
    }
    for (const [streamId, republisher] of this.republishers) {
      if (work.has(streamId)) continue;
      republisher.update([]);
      if (!republisher.idle) continue;
      this.republishers.delete(streamId);
      await republisher.stop();
      await this.lease.release(streamId);
      this.logger.log({ streamId }, 'stream finished; lease released');
    }
    for (const streamId of this.unownedSince.keys()) if (!work.has(streamId)) this.unownedSince.delete(streamId);
    for (const streamId of this.knownOwner.keys()) if (!work.has(streamId)) this.knownOwner.delete(streamId);
    this.ctx.metrics.ownedStreams.set(this.republishers.size);
  }

  /**
   * The copy rendezvous hashing prefers takes a free stream at once; any other copy only after
   * the stream has had no writer for a whole lease TTL (the preferred copy may be stuck).
   * A stream whose last known holder still heartbeats is left alone without asking Redis, so
   * an idle scan costs no command per stream another copy writes; once that copy leaves the
   * member set (a TTL after its last heartbeat, about when its leases expire) the lease is read.
   */
  private async mayTake(streamId: string, members: Set<string>): Promise<boolean> {
    if (preferredOwner(streamId, [...members]) === this.lease.instanceId) return true;
    const known = this.knownOwner.get(streamId);
    if (known && members.has(known)) return false;
    const owner = await this.lease.owner(streamId);
    if (owner) {
      this.knownOwner.set(streamId, owner);
      this.unownedSince.delete(streamId);
      return false;
    }
    this.knownOwner.delete(streamId);
    const since = this.unownedSince.get(streamId) ?? Date.now();
    this.unownedSince.set(streamId, since);
    return Date.now() - since >= this.lease.ttlMs;
  }

  private async leaseLost(streamId: string): Promise<void> {
    this.logger.warn({ streamId }, 'stream lease lost to another copy');
    const republisher = this.republishers.get(streamId);
    this.republishers.delete(streamId);
    await republisher?.stop();
  }

  private dropLost(streamId: string): void {
    this.republishers.delete(streamId);
    this.lease.forget(streamId);
    void this.lease.release(streamId).catch(() => undefined);
  }
}
