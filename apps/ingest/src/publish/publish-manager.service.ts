import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type Redis from 'ioredis';
import { InjectConfig, type ConfigOf, ingestConfig, redisConfig, segmentsConfig } from '@lib/config';
import type { StreamEntity } from '@lib/database';
import { LivepeerApiClient } from '@lib/livepeer';
import { REDIS, parseStreamControlEvent, streamControlChannel } from '@lib/queue';
import { StreamsService } from '@lib/streams';
import { withTimeout } from '@lib/timing';
import { AdmissionRefusedError, AdmissionService } from '../admission/admission.service';
import { provisionalTargetDuration } from '../input/input-rules';
import { IngestMetrics, Protocol } from '../ingest-metrics';
import { SegmentShipperFactory } from '../segments/segment-shipper';
import { Publish, PublishServices } from './publish';
import { PublishLockService } from './publish-lock.service';
import { SessionRecorder } from './session-recorder.service';

/** A publish refused before it started; `reason` is a metric label, `message` what the publisher is told. */
export class PublishRefusedError extends Error {
  constructor(
    readonly reason: 'unknown-key' | 'stream-disabled' | 'already-publishing' | 'unavailable' | 'shutting-down' | 'over-capacity',
    message: string,
    /** Sent as Retry-After to a push (over-capacity). */
    readonly retryAfterSeconds?: number,
    /** Which capacity limit refused it (over-capacity): admission-decision.ts RefusalReason. */
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'PublishRefusedError';
  }
}

/**
 * Starts publishes (key check, lock, session), keeps the list of live ones on this
 * ingest, ends them when their stream is disabled, and ends them all on shutdown.
 */
@Injectable()
export class PublishManager implements OnApplicationBootstrap {
  private readonly logger = new Logger(PublishManager.name);
  private readonly live = new Map<string, Publish>();
  private readonly services: PublishServices;
  private subscriber?: Redis;
  private accepting = true;

  constructor(
    private readonly streams: StreamsService,
    private readonly metrics: IngestMetrics,
    private readonly lock: PublishLockService,
    private readonly admission: AdmissionService,
    sessions: SessionRecorder,
    livepeer: LivepeerApiClient,
    shippers: SegmentShipperFactory,
    @Inject(REDIS) private readonly redis: Redis,
    @InjectConfig(ingestConfig) ingest: ConfigOf<typeof ingestConfig>,
    @InjectConfig(segmentsConfig) segments: ConfigOf<typeof segmentsConfig>,
    @InjectConfig(redisConfig) private readonly redisSettings: ConfigOf<typeof redisConfig>,
  ) {
    this.services = {
      sessions,
      lock,
      admission,
      livepeer,
      streams,
      shippers,
      metrics,
      spoolDir: ingest.spoolDir,
      provisionalTargetDuration: provisionalTargetDuration(segments.targetSeconds, segments.maxKeyframeIntervalSeconds),
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    // A dedicated connection: a subscribed client can run no other command.
    this.subscriber = this.redis.duplicate();
    this.subscriber.on('error', () => undefined);
    this.subscriber.on('message', (_channel, message) => this.onControl(message));
    await this.subscriber
      .subscribe(streamControlChannel(this.redisSettings.prefix))
      .catch((err: Error) =>
        this.logger.warn({ err: err.message }, 'stream control channel not subscribed yet; disabled streams end at the next heartbeat'),
      );
  }

  /** The stream a key opens, or a refusal. The key itself is never logged. */
  async authorize(streamKey: string, protocol: Protocol, peer?: string): Promise<StreamEntity> {
    let stream: StreamEntity | null;
    try {
      stream = await this.streams.findByKey(streamKey);
    } catch (err) {
      this.logger.error({ err: (err as Error).message }, 'stream lookup failed');
      throw this.refused(protocol, new PublishRefusedError('unavailable', 'ingest cannot check stream keys right now'), peer);
    }
    if (!stream) throw this.refused(protocol, new PublishRefusedError('unknown-key', 'stream key refused'), peer);
    if (!stream.enabled) throw this.refused(protocol, new PublishRefusedError('stream-disabled', 'stream is disabled'), peer, stream.id);
    return stream;
  }

  /** Takes the stream's lock and opens a session; refuses when the stream is already live anywhere. */
  async start(stream: StreamEntity, protocol: Protocol, peer?: string): Promise<Publish> {
    if (!this.accepting) throw this.refused(protocol, new PublishRefusedError('shutting-down', 'ingest is shutting down'), peer, stream.id);
    const publish = new Publish(stream, protocol, this.services);
    let locked: boolean;
    try {
      locked = await this.lock.acquire(stream.id, publish.lockOwner);
    } catch (err) {
      this.logger.error({ streamId: stream.id, err: (err as Error).message }, 'publish lock unavailable');
      throw this.refused(
        protocol,
        new PublishRefusedError('unavailable', 'ingest cannot take the publish lock right now (Redis)'),
        peer,
        stream.id,
      );
    }
    if (!locked) {
      throw this.refused(protocol, new PublishRefusedError('already-publishing', 'stream is already being published'), peer, stream.id);
    }
    try {
      await this.admission.admit(publish.sessionId);
    } catch (err) {
      await this.lock.release(stream.id, publish.lockOwner).catch(() => undefined);
      throw this.refused(protocol, admissionRefusal(err, stream.id, this.logger), peer, stream.id);
    }
    try {
      await publish.open();
    } catch (err) {
      await this.lock.release(stream.id, publish.lockOwner).catch(() => undefined);
      await this.admission.release(publish.sessionId).catch(() => undefined);
      this.logger.error({ streamId: stream.id, err: (err as Error).message }, 'session could not be opened');
      throw this.refused(protocol, new PublishRefusedError('unavailable', 'ingest cannot record the session right now'), peer, stream.id);
    }
    this.live.set(publish.sessionId, publish);
    // Shutdown began while this publish was starting: it ends as soon as its transport listens.
    if (!this.accepting) publish.requestEnd({ state: 'ended', reason: 'ingest shutting down' });
    return publish;
  }

  /** Ends a publish whose transport has stopped, and forgets it. */
  async finish(publish: Publish, fallback?: Parameters<Publish['end']>[0]): Promise<void> {
    try {
      await publish.end(fallback);
    } finally {
      this.live.delete(publish.sessionId);
    }
  }

  /** Logs and counts a refusal at the edge (RTMP or push) for reasons found there. */
  noteRefusal(protocol: Protocol, reason: string, message: string, peer?: string, streamId?: string): void {
    this.metrics.refusals.inc({ protocol, reason });
    this.logger.warn({ event: 'publish-refused', protocol, reason, peer, streamId }, `publish refused: ${message}`);
  }

  /**
   * Shutdown, step 1 of 2: refuse new publishes and ask every live one to stop. The
   * transports then flush their last segment and call finish().
   */
  stopAll(reason: string): void {
    this.accepting = false;
    for (const publish of this.live.values()) publish.requestEnd({ state: 'ended', reason });
  }

  /**
   * Shutdown, step 2 of 2: waits for the live publishes to end; past `graceMs`, their
   * segments still waiting for the store or the queue are dropped (and recorded).
   */
  async drain(graceMs: number): Promise<void> {
    const pending = () => [...this.live.values()];
    const allClosed = () => Promise.all(pending().map((p) => p.closed ?? waitUntilClosed(p)));
    try {
      await withTimeout(allClosed(), graceMs, 'shutdown drain');
    } catch {
      for (const publish of pending()) {
        publish.abandonWaitingSegments('ingest shut down before the segment could be stored and enqueued');
      }
      await withTimeout(allClosed(), 5000, 'shutdown drop').catch(() => undefined);
    }
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }

  /** Whether this process is publishing the session. */
  has(sessionId: string): boolean {
    return this.live.has(sessionId);
  }

  get count(): number {
    return this.live.size;
  }

  private onControl(message: string): void {
    const event = parseStreamControlEvent(message);
    if (event?.type !== 'stream-disabled') return;
    for (const publish of this.live.values()) {
      if (publish.streamId === event.streamId) publish.requestEnd({ state: 'ended', reason: 'stream disabled' });
    }
  }

  private refused(protocol: Protocol, err: PublishRefusedError, peer?: string, streamId?: string): PublishRefusedError {
    this.noteRefusal(protocol, err.reason, err.message, peer, streamId);
    return err;
  }
}

/** What the publisher is told when admission said no, or could not say (Redis away). */
function admissionRefusal(err: unknown, streamId: string, logger: Logger): PublishRefusedError {
  if (err instanceof AdmissionRefusedError) {
    return new PublishRefusedError(
      'over-capacity',
      `${err.message}; try again in ${err.retryAfterSeconds} s`,
      err.retryAfterSeconds,
      err.reason,
    );
  }
  logger.error({ streamId, err: (err as Error).message }, 'admission slot unavailable');
  return new PublishRefusedError('unavailable', 'ingest cannot count the live sessions right now (Redis)');
}

/** A publish whose transport has not called end() yet: poll until it does. */
async function waitUntilClosed(publish: Publish): Promise<unknown> {
  while (!publish.closed) await new Promise((r) => setTimeout(r, 100));
  return publish.closed;
}
