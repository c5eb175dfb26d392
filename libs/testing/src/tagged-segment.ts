import { TsMuxer } from '@lib/media';

/**
 * A tiny MPEG-TS segment (PAT, PMT, one H.264 access unit) with `tag` readable in its bytes:
 * enough for the relay to accept it as a segment, and for a test to tell which one it got.
 * Not decodable video: for cases about routing and bookkeeping, not about media.
 */
export function taggedSegment(tag: string): Buffer {
  const muxer = new TsMuxer({ video: 'h264' });
  const accessUnit = Buffer.concat([Buffer.from([0, 0, 0, 1, 0x09, 0xf0, 0, 0, 0, 1, 0x06]), Buffer.from(tag)]);
  return Buffer.concat([muxer.tables(), muxer.video(accessUnit, 0, 0, true)]);
}
