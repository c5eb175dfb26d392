import type { NmsPacket, NmsRtmpSession } from './nms';

/** The per-connection bounds (INGEST_RTMP_* settings); `prePublish*` apply until the publish is accepted. */
export interface RtmpLimits {
  publishTimeoutMs: number;
  maxChunkSize: number;
  maxChunkStreams: number;
  maxMessageBytes: number;
  maxBufferedBytes: number;
  maxCommandBytes: number;
  prePublishMaxBufferedBytes: number;
}

/** A peer went past one of the limits; its connection is closed. */
export class RtmpLimitExceeded extends Error {
  constructor(
    readonly limit: 'chunk-size' | 'chunk-streams' | 'message-size' | 'command-size' | 'buffered-bytes',
    message: string,
  ) {
    super(message);
    this.name = 'RtmpLimitExceeded';
  }
}

/** RTMP message types NMS decodes as AMF: data (AMF3 15, AMF0 18) and commands (AMF3 17, AMF0 20). */
const AMF_MESSAGE_TYPES = new Set([15, 17, 18, 20]);
const SET_CHUNK_SIZE = 1;
/** NMS allocates each message buffer this much larger than the message. */
const NMS_BUFFER_SLACK = 1024;

/**
 * Bounds the memory and CPU one RTMP connection can cost, checked inside NMS's own
 * parser before it allocates or decodes anything (its parser trusts the peer: any chunk
 * size, any number of chunk streams each holding a buffer as large as its message
 * header claims, AMF of any size decoded in one go):
 * - a chunk's header: at most `maxChunkStreams` chunk streams; a message no longer than
 *   `maxCommandBytes` when it is AMF (or when the publish is not accepted yet: before
 *   that only commands are legitimate), else `maxMessageBytes`;
 * - a message's buffer: all buffers of the connection together within `maxBufferedBytes`
 *   (`prePublishMaxBufferedBytes` before the publish is accepted);
 * - Set Chunk Size: 1..`maxChunkSize`.
 * A breach throws RtmpLimitExceeded out of the parser; the server closes that connection.
 */
export function enforceRtmpLimits(session: NmsRtmpSession, limits: RtmpLimits): void {
  const parseHeader = session.rtmpPacketParse.bind(session);
  session.rtmpPacketParse = () => {
    parseHeader();
    if (session.inPackets.size > limits.maxChunkStreams) {
      throw new RtmpLimitExceeded('chunk-streams', `more than ${limits.maxChunkStreams} chunk streams`);
    }
    const { length, type } = session.parserPacket.header;
    const amf = AMF_MESSAGE_TYPES.has(type);
    const max = amf || !session.isPublishing ? limits.maxCommandBytes : limits.maxMessageBytes;
    if (length > max) {
      const what = amf ? 'AMF message' : session.isPublishing ? 'message' : 'message before the publish was accepted';
      throw new RtmpLimitExceeded(
        amf || !session.isPublishing ? 'command-size' : 'message-size',
        `${what} of ${length} bytes (limit ${max})`,
      );
    }
  };

  const allocate = session.rtmpPacketAlloc.bind(session);
  session.rtmpPacketAlloc = () => {
    const packet = session.parserPacket;
    if (packet.capacity < packet.header.length) {
      const budget = session.isPublishing ? limits.maxBufferedBytes : limits.prePublishMaxBufferedBytes;
      const held = heldBytes(session.inPackets, packet) + packet.header.length + NMS_BUFFER_SLACK;
      if (held > budget) throw new RtmpLimitExceeded('buffered-bytes', `message buffers of ${held} bytes (limit ${budget})`);
    }
    allocate();
  };

  const control = session.rtmpControlHandler.bind(session);
  session.rtmpControlHandler = () => {
    const { header, payload } = session.parserPacket;
    if (header.type === SET_CHUNK_SIZE) {
      const size = header.length >= 4 && payload ? payload.readUInt32BE(0) : 0;
      if (size < 1 || size > limits.maxChunkSize)
        throw new RtmpLimitExceeded('chunk-size', `chunk size ${size} (limit 1..${limits.maxChunkSize})`);
    }
    return control();
  };
}

function heldBytes(packets: Map<number, NmsPacket>, except: NmsPacket): number {
  let held = 0;
  for (const packet of packets.values()) if (packet !== except) held += packet.capacity;
  return held;
}
