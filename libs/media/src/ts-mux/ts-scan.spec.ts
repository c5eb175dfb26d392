import fc from 'fast-check';
import { TIMESTAMP_MODULO } from './pes';
import { TsMuxer } from './ts-muxer';
import { TS_PACKET_SIZE } from './ts-packets';
import { scanTransportSegment } from './ts-scan';

const nal = (type: number, size = 20) => Buffer.concat([Buffer.from([0, 0, 0, 1, type]), Buffer.alloc(size, 0x11)]);
const SPS = Buffer.from([0x67, 0x64, 0x00, 0x1f, 0xac, 0xd9]);
const idrUnit = () => Buffer.concat([Buffer.from([0, 0, 0, 1]), SPS, nal(0x68, 4), nal(0x65, 3000)]);
const sliceUnit = () => Buffer.concat([nal(0x09, 1), nal(0x41, 800)]);
/** One ADTS frame header for 48 kHz LC stereo, `length` bytes in all. */
const adts = (length: number) => {
  const frame = Buffer.alloc(length, 0);
  frame.set([0xff, 0xf1, 0x4c, 0x80 | ((length >> 11) & 0x03), (length >> 3) & 0xff, ((length & 0x07) << 5) | 0x1f, 0xfc]);
  return frame;
};

/** A segment of `frames` video frames at 30 fps from `start` (90 kHz), a keyframe every `gop`, AAC alongside. */
function segment(start: number, frames: number, gop: number): Buffer {
  const muxer = new TsMuxer({ video: 'h264', audio: 'aac' });
  const parts = [muxer.tables()];
  for (let i = 0; i < frames; i++) {
    const pts = (start + i * 3000) % TIMESTAMP_MODULO;
    parts.push(muxer.video(i % gop === 0 ? idrUnit() : sliceUnit(), pts, pts, i % gop === 0));
    if (i % 2 === 0) parts.push(muxer.audio(Buffer.concat([adts(200), adts(200)]), pts));
  }
  return Buffer.concat(parts);
}

describe('scanTransportSegment', () => {
  it('times the video from its first frame to the end of its last, keyframes from the IDR units', () => {
    const scan = scanTransportSegment(segment(126_000, 60, 30));
    expect(scan.startSeconds).toBeCloseTo(1.4, 6);
    expect(scan.durationSeconds).toBeCloseTo(2, 6);
    expect(scan.video).toMatchObject({ frames: 60, keyframes: [1.4, 2.4] });
    expect(scan.sps?.equals(SPS)).toBe(true);
    expect(scan.audio?.startSeconds).toBeCloseTo(1.4, 6);
    // 30 PES of two 1024-sample frames at 48 kHz: the last ends 2 x 1024 / 48000 s after its PTS.
    expect(scan.audio?.durationSeconds).toBeCloseTo(29 * (6000 / 90_000) + 2048 / 48000, 6);
    expect(scan.signature).toBe(`1b,f|${SPS.toString('hex')}|1:48000:2`);
  });

  it('keeps the duration across a wrap of the 33-bit clock anywhere in the segment', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 }), (framesBeforeWrap) => {
        const start = TIMESTAMP_MODULO - framesBeforeWrap * 3000 - 1;
        const scan = scanTransportSegment(segment(start, 60, 60));
        expect(scan.durationSeconds).toBeCloseTo(2, 6);
        expect(scan.video!.keyframes).toHaveLength(1);
      }),
      { numRuns: 30 },
    );
  });

  it('refuses what is not a transport stream, with a reason and no local detail', () => {
    const good = segment(0, 10, 10);
    expect(() => scanTransportSegment(Buffer.from('#EXTM3U\n#EXTINF:2,\nfile:///etc/passwd\n'))).toThrow(/less than one 188-byte/);
    expect(() => scanTransportSegment(Buffer.alloc(2000, 0x20))).toThrow(/not MPEG-TS: no sync byte at byte 0/);
    const lostSync = Buffer.from(good);
    lostSync[TS_PACKET_SIZE * 3] = 0;
    expect(() => scanTransportSegment(lostSync)).toThrow(`no sync byte at byte ${TS_PACKET_SIZE * 3}`);
    expect(() => scanTransportSegment(good.subarray(TS_PACKET_SIZE))).toThrow(/no program association table/);
    expect(() => scanTransportSegment(Buffer.concat([good.subarray(0, TS_PACKET_SIZE), good.subarray(2 * TS_PACKET_SIZE)]))).toThrow(
      /no program map table/,
    );
    expect(() => scanTransportSegment(good.subarray(0, 2 * TS_PACKET_SIZE))).toThrow(/no timestamped audio or video/);
  });

  it('ignores a trailing partial packet, as demuxers do', () => {
    const good = segment(0, 10, 10);
    expect(scanTransportSegment(Buffer.concat([good, Buffer.alloc(100, 0x47)])).durationSeconds).toBeCloseTo(10 / 30, 6);
  });

  it('gives an audio-only segment its audio timing and no video', () => {
    const muxer = new TsMuxer({ audio: 'aac' });
    const scan = scanTransportSegment(Buffer.concat([muxer.tables(), muxer.audio(adts(100), 9000), muxer.audio(adts(100), 10_920)]));
    expect(scan.video).toBeUndefined();
    expect(scan.startSeconds).toBeCloseTo(0.1, 6);
    expect(scan.durationSeconds).toBeCloseTo(1920 / 90_000 + 1024 / 48000, 6);
  });
});
