import { Injectable, Logger } from '@nestjs/common';
import net from 'node:net';
import { InjectConfig, type ConfigOf, commonConfig, ingestConfig, segmentsConfig } from '@lib/config';
import { announceListening } from '@lib/observability';
import { StreamKeyGuard, TooManyKeyFailuresError } from '../auth/stream-key-guard.service';
import { Publish } from '../publish/publish';
import { PublishManager, PublishRefusedError } from '../publish/publish-manager.service';
import { NmsConfig, NmsPublishMessage, NmsRtmpSession, hangUp, nms, skipRtmpPlayerChunks } from './nms';
import { RtmpLimitExceeded, enforceRtmpLimits } from './rtmp-limits';
import { RtmpPublisher, RtmpPublisherSettings } from './rtmp-publisher';

/** The stream key of an RTMP `publish` to app `live` (query string dropped), or null. */
export function streamKeyOf(appName: string, streamName: unknown): string | null {
  if (appName !== 'live' || typeof streamName !== 'string') return null;
  const key = streamName.split('?')[0];
  return key && !key.includes('/') ? key : null;
}

/**
 * The RTMP listener: one TCP server, one NMS session per connection, any number of
 * publishers at once. Plays are refused (ingest does not serve playback). A connection
 * that sends bytes NMS cannot parse is closed without affecting the others.
 *
 * Key check at publish time: NMS handles `publish` synchronously and would answer
 * NetStream.Publish.Start at once, but the check needs the database and the Redis lock.
 * So each session's `onPublish` is wrapped: the connection is paused, the key checked,
 * the lock taken and the session opened, and only then is NMS's own `onPublish` run
 * (Publish.Start, the publisher registered, media accepted). A refused publisher gets
 * an RTMP error status instead, and never a Publish.Start.
 *
 * Before anything is authenticated a connection is bounded (rtmp-limits.ts: chunk size,
 * chunk streams, message and buffer sizes, AMF size) and must send its publish command
 * within INGEST_RTMP_PUBLISH_TIMEOUT_MS; an address that presents too many unknown keys
 * is refused for a while (StreamKeyGuard).
 */
@Injectable()
export class RtmpIngestServer {
  private readonly logger = new Logger('Rtmp');
  private readonly config: NmsConfig;
  private readonly settings: RtmpPublisherSettings;
  /** Publishes accepted by us, waiting for NMS's postPublish (synchronous, inside onPublish). */
  private readonly accepted = new Map<string, Publish>();
  private readonly publishers = new Map<string, RtmpPublisher>();
  private readonly connections = new Set<NmsRtmpSession>();
  private server?: net.Server;
  private accepting = true;
  private readonly handlers = {
    postPublish: (id: string) => this.onPostPublish(id),
    donePublish: (id: string) => this.onDonePublish(id),
    doneConnect: (id: string) => this.forget(id),
    prePlay: (id: string) => this.onPrePlay(id),
  };

  constructor(
    private readonly manager: PublishManager,
    private readonly keys: StreamKeyGuard,
    @InjectConfig(ingestConfig) private readonly ingest: ConfigOf<typeof ingestConfig>,
    @InjectConfig(commonConfig) private readonly common: ConfigOf<typeof commonConfig>,
    @InjectConfig(segmentsConfig) segments: ConfigOf<typeof segmentsConfig>,
  ) {
    this.config = { rtmp: { port: ingest.rtmpPort, chunk_size: 60_000, gop_cache: false, ping: 30, ping_timeout: 60 } };
    this.settings = {
      rules: { maxKeyframeIntervalSeconds: segments.maxKeyframeIntervalSeconds },
      targetSeconds: segments.targetSeconds,
    };
  }

  async listen(): Promise<number> {
    nms.silenceLogger();
    for (const [event, handler] of Object.entries(this.handlers)) nms.events.on(event as 'postPublish', handler);
    const server = net.createServer((socket) => this.onConnection(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.ingest.rtmpPort, this.common.bindHost, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => this.logger.error({ err: err.message }, 'RTMP server error'));
    const { port } = server.address() as net.AddressInfo;
    announceListening(this.logger as unknown as { log: (obj: object, msg: string) => void }, 'ingest', 'rtmp', port);
    return port;
  }

  /** Shutdown: no new connections or publishes; live ones are ended through PublishManager. */
  stopAccepting(): void {
    this.accepting = false;
    this.server?.close();
  }

  /** After the drain: closes whatever connection is left (idle, half-open) and unhooks from NMS. */
  closeAll(): void {
    for (const session of this.connections) session.stop();
    for (const [event, handler] of Object.entries(this.handlers)) nms.events.removeListener(event, handler);
  }

  private onConnection(socket: net.Socket): void {
    if (!this.accepting) {
      socket.destroy();
      return;
    }
    socket.on('error', () => undefined);
    const session = nms.createSession(this.config, socket);
    enforceRtmpLimits(session, this.ingest.rtmpLimits);
    skipRtmpPlayerChunks(session);
    const parse = session.onSocketData.bind(session);
    session.onSocketData = (data: Buffer) => {
      try {
        parse(data);
      } catch (err) {
        // NMS throws on some malformed input, the limits on abuse; that connection goes, the server and other publishers stay.
        if (err instanceof RtmpLimitExceeded) {
          this.logger.warn(
            { event: 'rtmp-limit', limit: err.limit, peer: session.ip, err: err.message },
            'RTMP connection over a limit; closed',
          );
        } else {
          this.logger.warn(
            { event: 'rtmp-protocol-error', peer: session.ip, err: (err as Error).message },
            'malformed RTMP data; connection closed',
          );
        }
        this.drop(session);
      }
    };
    const publishDeadline = setTimeout(() => {
      this.logger.warn(
        { event: 'rtmp-limit', limit: 'publish-timeout', peer: session.ip },
        'RTMP connection sent no publish in time; closed',
      );
      this.drop(session);
    }, this.ingest.rtmpLimits.publishTimeoutMs);
    socket.once('close', () => clearTimeout(publishDeadline));
    const publish = session.onPublish.bind(session);
    session.onPublish = (message: NmsPublishMessage) => {
      clearTimeout(publishDeadline);
      void this.checkedPublish(session, message, publish);
    };
    this.connections.add(session);
    session.run();
  }

  /** Closes a connection whatever state NMS has it in (its stop() does nothing before `connect`). */
  private drop(session: NmsRtmpSession): void {
    session.stop();
    session.socket.destroy();
  }

  private async checkedPublish(
    session: NmsRtmpSession,
    message: NmsPublishMessage,
    nmsPublish: (m: NmsPublishMessage) => void,
  ): Promise<void> {
    const streamId = session.parserPacket.header.stream_id;
    if (session.isPublishing) return nmsPublish(message); // NMS answers "already publishing" itself
    session.socket.pause();
    let publish: Publish;
    try {
      const key = streamKeyOf(session.appname, message.streamName) ?? '';
      const stream = await this.keys.authorize(key, 'rtmp', session.ip);
      publish = await this.manager.start(stream, 'rtmp', session.ip);
    } catch (err) {
      const known = err instanceof PublishRefusedError || err instanceof TooManyKeyFailuresError;
      if (!known) this.logger.error({ err: (err as Error).message, peer: session.ip }, 'publish check failed');
      hangUp(session, streamId, 'NetStream.Publish.BadName', known ? err.message : 'ingest could not start the publish');
      return;
    }
    if (!session.isStarting || session.socket.destroyed) {
      await this.manager.finish(publish, { state: 'ended', reason: 'publisher left before its input was accepted' });
      return;
    }
    // NMS reads the message stream id from the packet being parsed; give it the one of this command.
    const packet = session.parserPacket;
    const current = packet.header.stream_id;
    packet.header.stream_id = streamId;
    this.accepted.set(session.id, publish);
    try {
      nmsPublish(message);
    } finally {
      packet.header.stream_id = current;
      this.accepted.delete(session.id);
      session.socket.resume();
    }
    if (!this.publishers.has(session.id)) {
      // NMS did not take it (cannot happen with the lock held, but never leave a session open).
      await this.manager.finish(publish, { state: 'failed', reason: 'the RTMP server refused the publish' });
    }
  }

  private onPostPublish(id: string): void {
    const session = nms.session(id);
    const publish = this.accepted.get(id);
    if (!session || !publish) return;
    this.publishers.set(id, new RtmpPublisher(session, publish, this.manager, this.settings));
  }

  private onDonePublish(id: string): void {
    const publisher = this.publishers.get(id);
    this.publishers.delete(id);
    void publisher?.onDisconnect();
  }

  private onPrePlay(id: string): void {
    const session = nms.session(id);
    this.logger.warn({ event: 'play-refused', peer: session?.ip }, 'RTMP play refused: ingest does not serve playback');
    session?.reject();
  }

  private forget(id: string): void {
    for (const session of this.connections) if (session.id === id) this.connections.delete(session);
  }
}
