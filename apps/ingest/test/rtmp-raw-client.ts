import net from 'node:net';
import { rtmpHandshakeThenGarbage } from './ingest-harness';

/** Test-side RTMP: chunks and AMF0 written by hand, to send what no encoder would. */

export interface ChunkHeader {
  cid: number;
  /** message length as the header claims it */
  length: number;
  type: number;
  streamId?: number;
}

/** A type-0 chunk: full header (as claimed) followed by `payload` (which may be only part of the message). */
export function rtmpChunk(header: ChunkHeader, payload: Buffer = Buffer.alloc(0)): Buffer {
  const basic = header.cid < 64 ? Buffer.from([header.cid]) : Buffer.from([0, header.cid - 64]);
  const message = Buffer.alloc(11);
  message.writeUIntBE(0, 0, 3);
  message.writeUIntBE(header.length, 3, 3);
  message.writeUInt8(header.type, 6);
  message.writeUInt32LE(header.streamId ?? 0, 7);
  return Buffer.concat([basic, message, payload]);
}

/** A whole message that fits one chunk (at most 128 bytes: the initial chunk size). */
export function rtmpMessage(cid: number, type: number, payload: Buffer, streamId = 0): Buffer {
  if (payload.length > 128) throw new Error('rtmpMessage: payload over one 128-byte chunk');
  return rtmpChunk({ cid, length: payload.length, type, streamId }, payload);
}

type Amf = string | number | null | { [key: string]: Amf };

export function amf0(...values: Amf[]): Buffer {
  return Buffer.concat(values.map(amf0Value));
}

function amf0Value(value: Amf): Buffer {
  if (value === null) return Buffer.from([0x05]);
  if (typeof value === 'number') {
    const out = Buffer.alloc(9);
    out[0] = 0x00;
    out.writeDoubleBE(value, 1);
    return out;
  }
  if (typeof value === 'string') return Buffer.concat([Buffer.from([0x02]), shortString(value)]);
  const entries = Object.entries(value).map(([key, v]) => Buffer.concat([shortString(key), amf0Value(v)]));
  return Buffer.concat([Buffer.from([0x03]), ...entries, Buffer.from([0, 0, 0x09])]);
}

function shortString(value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  const length = Buffer.alloc(2);
  length.writeUInt16BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

const AMF0_COMMAND = 20;

/** Resolves once the server has closed the connection. */
export function closedBy(socket: net.Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed || socket.readyState === 'closed') return resolve();
    socket.once('close', () => resolve());
  });
}

/** Handshake, connect, createStream and publish of `key` by hand; resolves once the server answered Publish.Start. */
export async function rtmpPublishByHand(port: number, key: string): Promise<net.Socket> {
  const socket = await rtmpHandshakeThenGarbage(port, Buffer.alloc(0));
  let received = '';
  const started = new Promise<void>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (received.includes('NetStream.Publish.Start')) resolve();
    });
    socket.once('close', () => reject(new Error(`closed before Publish.Start: ${received.replace(/[^\x20-\x7e]/g, '.')}`)));
  });
  socket.write(rtmpMessage(3, AMF0_COMMAND, amf0('connect', 1, { app: 'live', type: 'nonprivate' })));
  socket.write(rtmpMessage(3, AMF0_COMMAND, amf0('createStream', 2, null)));
  socket.write(rtmpMessage(8, AMF0_COMMAND, amf0('publish', 3, null, key, 'live'), 1));
  await started;
  return socket;
}
