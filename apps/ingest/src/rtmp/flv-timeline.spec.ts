import { FLV_TAG_AUDIO, FLV_TAG_SCRIPT, FLV_TAG_VIDEO, buildFlvTag, readFlvTag } from './flv';
import { FlvTimeline } from './flv-timeline';

const frame = (t: number, key = false) => buildFlvTag(FLV_TAG_VIDEO, t, Buffer.from([key ? 0x17 : 0x27, 0x01, 0, 0, 0, 9]));
const audio = (t: number) => buildFlvTag(FLV_TAG_AUDIO, t, Buffer.from([0xaf, 0x01, 1, 2]));
const avcHeader = (t: number) => buildFlvTag(FLV_TAG_VIDEO, t, Buffer.from([0x17, 0x00, 0, 0, 0, 1]));

/** Feeds tags through one timeline; the timestamps handed on. */
function retimed(tags: Buffer[], timeline = new FlvTimeline()): number[] {
  return tags.map((tag) => {
    timeline.retime(tag);
    return readFlvTag(tag)!.timestamp;
  });
}

describe('FlvTimeline', () => {
  it('leaves a continuous stream as it is, audio/video interleaving included', () => {
    const tags = [frame(0, true), audio(5), frame(33), audio(28), frame(66), audio(51), frame(100)];
    expect(retimed(tags)).toEqual([0, 5, 33, 28, 66, 51, 100]);
  });

  it('continues the media time one frame on when the timestamps jump back by hours', () => {
    const start = 3 * 3600_000;
    const timeline = new FlvTimeline();
    const out = retimed(
      [frame(start, true), audio(start + 10), frame(start + 33), frame(0, true), audio(12), frame(33), frame(66)],
      timeline,
    );
    expect(out).toEqual([start, start + 10, start + 33, start + 66, start + 78, start + 99, start + 132]);
    expect(timeline.jumps).toEqual([{ from: 0, after: start + 33, offset: start + 66 }]);
  });

  it('closes a forward jump of more than a few seconds, but keeps a short pause', () => {
    const timeline = new FlvTimeline();
    const out = retimed([frame(0, true), frame(33), frame(3033), frame(3600_000, true), frame(3600_033)], timeline);
    expect(out).toEqual([0, 33, 3033, 3066, 3099]);
    expect(timeline.jumps).toHaveLength(1);
  });

  it('puts a repeated sequence header on the current timeline without moving it, and leaves script tags alone', () => {
    const script = buildFlvTag(FLV_TAG_SCRIPT, 0, Buffer.from('onMetaData'));
    const timeline = new FlvTimeline();
    expect(retimed([avcHeader(0), frame(0, true), frame(5000 - 1), avcHeader(0), frame(5032), script], timeline)).toEqual([
      0, 0, 4999, 4999, 5032, 0,
    ]);
    expect(timeline.jumps).toEqual([]);
  });

  it('writes timestamps past 24 bits into the extended byte', () => {
    const big = 0x01234567;
    expect(retimed([frame(big, true), frame(10, true)])).toEqual([big, big + 33]);
  });
});
