import { Injectable, Logger } from '@nestjs/common';
import net from 'node:net';
import { InjectConfig, type ConfigOf, commonConfig, ingestConfig, segmentsConfig } from '@lib/config';
import { announceListening } from '@lib/observability';
import { PublishManager } from '../publish/publish-manager.service';
import { NmsConfig, NmsRtmpSession, nms } from './nms';
import { RtmpPublisher } from './rtmp-publisher';

/** `/live/{streamKey}` (query already stripped by NMS). */
export function streamKeyFromPath(streamPath: string): string | null {
  const match = /^\/live\/([^/]+)$/.exec(streamPath);
  return match ? match[1] : null;
}

/**
 * The RTMP listener: one TCP server, one NMS session per connection, any number of
 * publishers at once. Publishes go to RtmpPublisher; plays are refused (ingest does
 * not serve playback). A connection that sends bytes NMS cannot parse is closed
 * without affecting the others.
 */
@Injectable()
export class RtmpIngestServer {
  private readonly logger = new Logger('Rtmp');
  private readonly config: NmsConfig;
  private readonly publishers = new Map<string, RtmpPublisher>();
  private readonly connections = new Set<NmsRtmpSession>();
  private server?: net.Server;
  private accepting = true;
  private readonly handlers = {
    prePublish: (id: string, streamPath: string) => this.onPrePublish(id, streamPath),
    postPublish: (id: string, streamPath: string) => this.onPostPublish(id, streamPath),
    donePublish: (id: string) => void this.publishers.get(id)?.onDisconnect(),
    doneConnect: (id: string) => this.forget(id),
    prePlay: (id: string) => this.onPrePlay(id),
  };

  constructor(
    private readonly manager: PublishManager,
    @InjectConfig(ingestConfig) private readonly ingest: ConfigOf<typeof ingestConfig>,
    @InjectConfig(commonConfig) private readonly common: ConfigOf<typeof commonConfig>,
    @InjectConfig(segmentsConfig) private readonly segments: ConfigOf<typeof segmentsConfig>,
  ) {
    this.config = { rtmp: { port: ingest.rtmpPort, chunk_size: 60_000, gop_cache: false, ping: 30, ping_timeout: 60 } };
  }

  async listen(): Promise<number> {
    nms.silenceLogger();
    for (const [event, handler] of Object.entries(this.handlers)) nms.events.on(event as 'prePublish', handler);
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
    const parse = session.onSocketData.bind(session);
    session.onSocketData = (data: Buffer) => {
      try {
        parse(data);
      } catch (err) {
        // NMS throws on some malformed input; that connection goes, the server and other publishers stay.
        this.logger.warn({ event: 'rtmp-protocol-error', peer: session.ip, err: (err as Error).message }, 'malformed RTMP data; connection closed');
        session.stop();
      }
    };
    this.connections.add(session);
    session.run();
  }

  private onPrePublish(id: string, streamPath: string): void {
    // NMS refuses a second publish of one path on this process by itself, before postPublish.
    if (nms.publishers.has(streamPath)) {
      this.manager.noteRefusal('rtmp', 'already-publishing', 'stream is already being published', nms.session(id)?.ip);
    }
  }

  private onPostPublish(id: string, streamPath: string): void {
    const session = nms.session(id);
    if (!session) return;
    const key = streamKeyFromPath(streamPath);
    const publisher = new RtmpPublisher(session, key ?? '', this.manager, {
      rules: { maxKeyframeIntervalSeconds: this.segments.maxKeyframeIntervalSeconds },
      targetSeconds: this.segments.targetSeconds,
    });
    this.publishers.set(id, publisher);
    void publisher.start();
  }

  private onPrePlay(id: string): void {
    const session = nms.session(id);
    this.logger.warn({ event: 'play-refused', peer: session?.ip }, 'RTMP play refused: ingest does not serve playback');
    session?.reject();
  }

  private forget(id: string): void {
    this.publishers.delete(id);
    for (const session of this.connections) if (session.id === id) this.connections.delete(session);
  }
}
