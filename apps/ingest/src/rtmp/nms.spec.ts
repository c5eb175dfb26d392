import type { Socket } from 'node:net';
import { FlvTap } from './flv-tap';
import { NmsConfig, nms, skipRtmpPlayerChunks } from './nms';

const CONFIG: NmsConfig = { rtmp: { port: 0, chunk_size: 60_000, gop_cache: false, ping: 30, ping_timeout: 60 } };

/** An NMS session in the state its parser leaves it after reassembling one video message. */
function sessionWithVideoMessage(payload: Buffer) {
  const session = nms.createSession(CONFIG, { remoteAddress: '127.0.0.1' } as Socket);
  session.publishStreamPath = '/live/key';
  (session as unknown as { parserPacket: unknown }).parserPacket = {
    header: { fmt: 0, cid: 6, timestamp: 40, length: payload.length, type: 9, stream_id: 1 },
    clock: 40,
    payload,
    capacity: payload.length,
    bytes: payload.length,
  };
  return session;
}

describe('node-media-server media messages without RTMP players', () => {
  // An AVC NALU tag body (keyframe), as a publisher sends it.
  const payload = Buffer.from([0x17, 0x01, 0, 0, 0, 0, 0, 0, 2, 0x65, 0x88]);

  it('hands each video message to the tap as an FLV tag without building RTMP chunks for it', () => {
    const session = sessionWithVideoMessage(payload);
    const built: Buffer[] = [];
    const build = session.rtmpChunksCreate.bind(session);
    session.rtmpChunksCreate = (packet) => {
      const chunks = build(packet);
      built.push(chunks);
      return chunks;
    };
    skipRtmpPlayerChunks(session);
    const tags: Buffer[] = [];
    const tap = new FlvTap(session, (tag) => tags.push(Buffer.from(tag)));
    try {
      session.rtmpVideoHandler();
    } finally {
      tap.detach();
    }
    expect(built).toEqual([]);
    expect(tags).toHaveLength(1);
    // FLV tag: type 9, body length, timestamp 40, then the message's payload unchanged.
    expect(tags[0][0]).toBe(9);
    expect(tags[0].readUIntBE(1, 3)).toBe(payload.length);
    expect(tags[0].readUIntBE(4, 3)).toBe(40);
    expect(tags[0].subarray(11, 11 + payload.length)).toEqual(payload);
  });

  it('builds the chunks of a status message sent while a video message is handled (a refusal of the input)', () => {
    const session = sessionWithVideoMessage(payload);
    skipRtmpPlayerChunks(session);
    const sent: Buffer[] = [];
    const status = { header: { fmt: 0, cid: 5, timestamp: 0, length: 4, type: 20, stream_id: 1 }, payload: Buffer.from([5, 6, 7, 8]) };
    const tap = new FlvTap(session, () => sent.push(session.rtmpChunksCreate(status)));
    try {
      session.rtmpVideoHandler();
    } finally {
      tap.detach();
    }
    expect(sent).toHaveLength(1);
    expect(sent[0].subarray(sent[0].length - 4)).toEqual(Buffer.from([5, 6, 7, 8]));
  });

  it('still builds the chunks of every other message (status and control messages to the publisher)', () => {
    const session = sessionWithVideoMessage(payload);
    skipRtmpPlayerChunks(session);
    const packet = { header: { fmt: 0, cid: 5, timestamp: 0, length: 4, type: 20, stream_id: 1 }, payload: Buffer.from([1, 2, 3, 4]) };
    const chunks = session.rtmpChunksCreate(packet);
    expect(chunks.length).toBeGreaterThan(4);
    expect(chunks.subarray(chunks.length - 4)).toEqual(Buffer.from([1, 2, 3, 4]));
  });
});
