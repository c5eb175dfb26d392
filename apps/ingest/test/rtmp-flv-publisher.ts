import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type net from 'node:net';
import { promisify } from 'node:util';
import { sleep } from '@lib/testing';
import { testPatternArgs } from '@lib/media';
import { FLV_TAG_AUDIO, FLV_TAG_VIDEO, flvFileTags, readFlvTag } from '../src/rtmp/flv';
import { rtmpPublishByHand } from './rtmp-raw-client';

const run = promisify(execFile);

/** One FLV tag of a recorded stream: its RTMP message type, timestamp (ms) and body. */
export interface RecordedTag {
  type: number;
  timestamp: number;
  body: Buffer;
}

/** A synthetic H.264 + AAC stream recorded as FLV (1 s GOP), read back as its audio and video tags. */
export async function recordFlvTags(file: string, seconds: number): Promise<RecordedTag[]> {
  await run('ffmpeg', [...testPatternArgs({ seconds, gopFrames: 30 }), '-f', 'flv', file]);
  return flvFileTags(await readFile(file))
    .map((tag) => readFlvTag(tag)!)
    .filter((tag) => tag.type === FLV_TAG_AUDIO || tag.type === FLV_TAG_VIDEO)
    .map((tag) => ({ type: tag.type, timestamp: tag.timestamp, body: tag.data }));
}

const CHUNK_SIZE = 60_000;
const EXTENDED = 0xffffff;

/** An RTMP message in chunks of CHUNK_SIZE: a type-0 header with the absolute timestamp, then type-3 continuations. */
function rtmpMediaMessage(tag: RecordedTag, streamId: number): Buffer {
  const cid = tag.type === 8 ? 4 : 6;
  const extended = tag.timestamp >= EXTENDED;
  const extendedBytes = Buffer.alloc(extended ? 4 : 0);
  if (extended) extendedBytes.writeUInt32BE(tag.timestamp >>> 0);
  const header = Buffer.alloc(12);
  header[0] = cid;
  header.writeUIntBE(extended ? EXTENDED : tag.timestamp, 1, 3);
  header.writeUIntBE(tag.body.length, 4, 3);
  header[7] = tag.type;
  header.writeUInt32LE(streamId, 8);
  const parts: Buffer[] = [header, extendedBytes];
  for (let at = 0; at < tag.body.length; at += CHUNK_SIZE) {
    if (at > 0) parts.push(Buffer.from([0xc0 | cid]), extendedBytes);
    parts.push(tag.body.subarray(at, at + CHUNK_SIZE));
  }
  return Buffer.concat(parts);
}

/**
 * Publishes recorded tags over RTMP by hand, each with the timestamp `timestampOf` gives it
 * (so a test can make the publisher's clock jump), paced at `speed` x real time, then hangs up.
 */
export async function publishRecordedTags(
  port: number,
  key: string,
  tags: RecordedTag[],
  timestampOf: (tag: RecordedTag) => number,
  speed = 2,
): Promise<void> {
  const socket: net.Socket = await rtmpPublishByHand(port, key);
  const setChunkSize = Buffer.alloc(16);
  setChunkSize[0] = 2;
  setChunkSize.writeUIntBE(4, 4, 3);
  setChunkSize[7] = 1;
  setChunkSize.writeUInt32BE(CHUNK_SIZE, 12);
  socket.write(setChunkSize);
  const started = Date.now();
  for (const tag of tags) {
    const due = started + tag.timestamp / speed;
    if (due > Date.now()) await sleep(due - Date.now());
    if (!socket.write(rtmpMediaMessage({ ...tag, timestamp: timestampOf(tag) }, 1))) await new Promise((r) => socket.once('drain', r));
  }
  await new Promise<void>((resolve) => socket.end(resolve));
  socket.destroy();
}
