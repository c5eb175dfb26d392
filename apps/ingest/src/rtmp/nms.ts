/**
 * The parts of node-media-server 2.7 ingest uses, typed. NMS is used for what it is
 * good at, the RTMP protocol (handshake, chunking, AMF commands, many publishers on
 * one port); its own server, logger and HTTP/relay/trans features are not used.
 *
 * Getting the media out: each publishing NMS session gets one extra "player" that
 * is ours (see FlvTap). NMS already turns every audio/video/data message into an FLV
 * tag for its HTTP-FLV players; the tap receives those tags in-process and ingest
 * hands them to the in-process segmenter. Compared with an ffmpeg pulling
 * rtmp://127.0.0.1/live/{key} back out of the server, this keeps the stream key off
 * ffmpeg's command line (visible in `ps`), needs no RTMP playback path open on the
 * ingest port (every play is refused), loses no frame between publish and pull (the
 * tap is attached before the first media message), and costs no second RTMP session
 * per publish. The price is reliance on NMS internals (context maps, the players set,
 * NodeFlvSession's instanceof check), all confined to this file and flv-tap.ts and
 * pinned by the package version; the integration tests exercise them end to end.
 */
import type { Socket } from 'node:net';

/* eslint-disable @typescript-eslint/no-require-imports */
const NodeRtmpSessionClass = require('node-media-server/src/node_rtmp_session');
const NodeFlvSessionClass = require('node-media-server/src/node_flv_session');
const nmsContext = require('node-media-server/src/node_core_ctx');
const nmsLogger = require('node-media-server/src/node_core_logger');
const nmsAv = require('node-media-server/src/node_core_av');
/* eslint-enable @typescript-eslint/no-require-imports */

/** A node-media-server RTMP session (connection). */
export interface NmsRtmpSession {
  id: string;
  ip: string;
  socket: Socket;
  appname: string;
  isStarting: boolean;
  isPublishing: boolean;
  publishStreamId: number;
  publishStreamPath: string;
  players: Set<string>;
  /** The packet being parsed; `onPublish` reads the message stream id from it. */
  parserPacket: NmsPacket;
  /** One packet (the message being reassembled, and its reusable buffer) per chunk stream id. */
  inPackets: Map<number, NmsPacket>;
  /** Parser steps rtmp-limits.ts wraps: a chunk's header was read; a message's buffer is allocated; a control message arrived. */
  rtmpPacketParse(): void;
  rtmpPacketAlloc(): void;
  rtmpControlHandler(): unknown;
  /** Media message handlers (one call per audio / video message), and the RTMP chunk builder they call. */
  rtmpAudioHandler(): unknown;
  rtmpVideoHandler(): unknown;
  rtmpChunksCreate(packet: { header: { type: number } }): Buffer;
  run(): void;
  stop(): void;
  reject(): void;
  onSocketData(data: Buffer): void;
  onPublish(message: NmsPublishMessage): void;
  sendStatusMessage(streamId: number, level: string, code: string, description: string): void;
}

/** A message on one chunk stream as NMS reassembles it. */
export interface NmsPacket {
  header: { fmt: number; cid: number; length: number; type: number; stream_id: number };
  payload: Buffer | null;
  /** bytes allocated for `payload` (kept between messages of the chunk stream) */
  capacity: number;
  /** bytes of the current message received so far */
  bytes: number;
}

/** The AMF `publish` command as NMS decodes it. */
export interface NmsPublishMessage {
  streamName?: unknown;
  [field: string]: unknown;
}

export interface NmsConfig {
  rtmp: { port: number; chunk_size: number; gop_cache: boolean; ping: number; ping_timeout: number };
}

export interface NmsEvents {
  on(
    event: 'prePublish' | 'postPublish' | 'donePublish' | 'prePlay',
    listener: (id: string, streamPath: string, args: unknown) => void,
  ): void;
  on(event: 'doneConnect', listener: (id: string) => void): void;
  removeListener(event: string, listener: (...args: never[]) => void): void;
}

export const nms = {
  createSession: (config: NmsConfig, socket: Socket): NmsRtmpSession => new NodeRtmpSessionClass(config, socket),
  flvPlayerPrototype: NodeFlvSessionClass.prototype as object,
  sessions: nmsContext.sessions as Map<string, unknown>,
  publishers: nmsContext.publishers as Map<string, string>,
  idlePlayers: nmsContext.idlePlayers as Set<string>,
  events: nmsContext.nodeEvent as NmsEvents,
  /** NMS logs to stdout with stream paths, i.e. stream keys: it must stay silent. */
  silenceLogger: () => nmsLogger.setLogType(nmsLogger.LOG_TYPES.NONE),
  session: (id: string) => nmsContext.sessions.get(id) as NmsRtmpSession | undefined,
};

/** Width, height and profile name from an AVC sequence header tag body, via NMS's SPS parser. */
export function readAvcConfig(tagBody: Buffer): { width?: number; height?: number; profile?: string } | null {
  try {
    const info = nmsAv.readAVCSpecificConfig(tagBody);
    return { width: info.width || undefined, height: info.height || undefined, profile: nmsAv.getAVCProfileName(info) || undefined };
  } catch {
    return null;
  }
}

/** After asking the publisher to go (status message + FIN), how long before the connection is cut. */
const HANG_UP_GRACE_MS = 2000;

/**
 * Tells the publisher why with an RTMP error status (ffmpeg prints it as "Server error",
 * OBS shows it), closes our side so the message is flushed, and cuts the connection if
 * the publisher has not gone after a grace period.
 */
export function hangUp(session: NmsRtmpSession, streamId: number, code: string, reason: string): void {
  try {
    session.sendStatusMessage(streamId, 'error', code, reason);
    session.socket.end();
  } catch {
    // the socket is already gone
  }
  setTimeout(() => session.reject(), HANG_UP_GRACE_MS).unref();
}

/**
 * Stands in for the RTMP chunks of a media message: never sent (see skipRtmpPlayerChunks). 12
 * bytes, because NMS writes an RTMP player's stream id at offset 8 before sending.
 */
const UNSENT_CHUNKS = Buffer.alloc(12);

/** RTMP message types of audio and video (the only ones whose chunks go to players alone). */
const MEDIA_MESSAGE_TYPES = new Set([8, 9]);

/**
 * For every audio and video message, NMS builds the RTMP chunks it would send to RTMP players
 * and keep in its GOP cache: a copy of the whole stream with chunk headers, allocated per
 * message. Ingest has neither (every play is refused, `gop_cache` is off), so the chunks of audio
 * and video messages are not built; the FLV tag the tap reads is built as before. Every other
 * message (status and control messages to the publisher, including a refusal sent while a media
 * message is being handled) is built and sent as before. Profiled at 50 publishers, chunk building
 * was a sizeable share of ingest's main thread (docs/benchmarks.md).
 */
export function skipRtmpPlayerChunks(session: NmsRtmpSession): void {
  const buildChunks = session.rtmpChunksCreate.bind(session);
  session.rtmpChunksCreate = (packet) => (MEDIA_MESSAGE_TYPES.has(packet.header.type) ? UNSENT_CHUNKS : buildChunks(packet));
}
