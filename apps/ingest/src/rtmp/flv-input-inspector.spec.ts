import { FLV_TAG_AUDIO, FLV_TAG_SCRIPT, FLV_TAG_VIDEO, buildFlvTag, flvHeader, readFlvTag } from './flv';
import { FlvInputInspector, InputVerdict } from './flv-input-inspector';

const rules = { maxKeyframeIntervalSeconds: 4 };

const avcSeqHeader = (t = 0) => buildFlvTag(FLV_TAG_VIDEO, t, Buffer.from([0x17, 0x00, 0, 0, 0, 1, 2, 3]));
const avcFrame = (t: number, key: boolean) => buildFlvTag(FLV_TAG_VIDEO, t, Buffer.from([key ? 0x17 : 0x27, 0x01, 0, 0, 0, 9]));
const aac = (t: number) => buildFlvTag(FLV_TAG_AUDIO, t, Buffer.from([0xaf, t === 0 ? 0x00 : 0x01, 1, 2]));

/** A publisher's first seconds: sequence headers, then frames at `fps` with a keyframe every `gop` s. */
function stream(options: { gop: number; seconds: number; fps?: number; codecByte?: number; audio?: boolean }): Buffer[] {
  const fps = options.fps ?? 30;
  const tags: Buffer[] = [buildFlvTag(FLV_TAG_SCRIPT, 0, Buffer.from('onMetaData'))];
  if (options.audio !== false) tags.push(aac(0));
  if (options.codecByte === undefined) tags.push(avcSeqHeader());
  for (let frame = 0; frame < options.seconds * fps; frame++) {
    const t = Math.round((frame * 1000) / fps);
    const key = frame % Math.round(options.gop * fps) === 0;
    if (options.codecByte !== undefined)
      tags.push(buildFlvTag(FLV_TAG_VIDEO, t, Buffer.from([(key ? 0x10 : 0x20) | options.codecByte, 0])));
    else tags.push(avcFrame(t, key));
    if (options.audio !== false && frame % 2 === 0) tags.push(aac(t + 1));
  }
  return tags;
}

function run(tags: Buffer[], inspector = new FlvInputInspector(rules, () => ({ width: 640, height: 360, profile: 'High' }))) {
  let verdict: InputVerdict | null = null;
  let fedUntil = -1;
  for (const [i, tag] of tags.entries()) {
    verdict = inspector.feed(tag);
    if (verdict) {
      fedUntil = i;
      break;
    }
  }
  return { verdict, at: verdict ? readFlvTag(tags[fedUntil])!.timestamp : undefined };
}

describe('FlvInputInspector', () => {
  it('accepts H.264 with a 2 s GOP at the second keyframe, with what it measured', () => {
    const { verdict, at } = run(stream({ gop: 2, seconds: 6 }));
    expect(at).toBe(2000);
    expect(verdict).toEqual({
      accepted: true,
      hasAudio: true,
      source: { videoCodec: 'h264', width: 640, height: 360, videoProfile: 'High', keyframeIntervalSec: 2, fps: 30, audioCodec: 'aac' },
    });
  });

  it('reports no audio for a video-only input', () => {
    const { verdict } = run(stream({ gop: 1, seconds: 3, audio: false }));
    expect(verdict).toMatchObject({ accepted: true, hasAudio: false });
    expect(verdict!.source.audioCodec).toBeUndefined();
  });

  it('refuses a 10 s GOP once the media clock passes the maximum, long before the next keyframe', () => {
    const { verdict, at } = run(stream({ gop: 10, seconds: 12 }));
    expect(verdict).toMatchObject({ accepted: false });
    expect((verdict as { reason: string }).reason).toMatch(/^keyframe interval more than 4 s exceeds the maximum of 4 s/);
    expect(at).toBeGreaterThan(4000);
    expect(at).toBeLessThan(4300);
  });

  it('refuses a 5 s GOP measured exactly when the clock check does not fire first', () => {
    const inspector = new FlvInputInspector({ maxKeyframeIntervalSeconds: 4 });
    // video only, sparse frames: one every 5 s, all keyframes
    const tags = [avcSeqHeader(), avcFrame(0, true), avcFrame(5000, true)];
    const verdicts = tags.map((t) => inspector.feed(t)).filter(Boolean);
    expect(verdicts).toHaveLength(1);
    expect((verdicts[0] as { reason: string }).reason).toMatch(/^keyframe interval 5 s exceeds/);
  });

  it('refuses a codec other than H.264 at its first video tag', () => {
    const hevc = run(stream({ gop: 2, seconds: 1, codecByte: 12 }));
    expect(hevc.verdict).toMatchObject({ accepted: false, source: { videoCodec: 'hevc' } });
    expect((hevc.verdict as { reason: string }).reason).toMatch(/^video codec HEVC \(H\.265\) is not supported/);
    expect(hevc.at).toBe(0);
    const sorenson = run(stream({ gop: 2, seconds: 1, codecByte: 2, audio: false }));
    expect((sorenson.verdict as { reason: string }).reason).toMatch(/Sorenson H\.263/);
  });

  it('refuses audio that MPEG-TS cannot carry', () => {
    const inspector = new FlvInputInspector(rules);
    inspector.feed(buildFlvTag(FLV_TAG_AUDIO, 0, Buffer.from([0xb2, 0]))); // Speex
    inspector.feed(avcSeqHeader());
    inspector.feed(avcFrame(0, true));
    const verdict = inspector.feed(avcFrame(2000, true));
    expect((verdict as { reason: string }).reason).toMatch(/^audio codec speex cannot be carried in MPEG-TS/);
  });

  it('decides once, and can be refused from outside', () => {
    const inspector = new FlvInputInspector(rules);
    expect(inspector.refuse('no keyframe within 10 s')).toMatchObject({ accepted: false, reason: 'no keyframe within 10 s' });
    expect(inspector.feed(avcFrame(0, true))).toBeNull();
    expect(inspector.decided).toMatchObject({ reason: 'no keyframe within 10 s' });
  });

  it('ignores truncated tags', () => {
    const inspector = new FlvInputInspector(rules);
    expect(inspector.feed(Buffer.from([9, 0, 0]))).toBeNull();
    expect(inspector.feed(avcFrame(0, true).subarray(0, 12))).toBeNull();
  });
});

describe('flv helpers', () => {
  it('round-trip a tag with a 32-bit timestamp', () => {
    const tag = readFlvTag(buildFlvTag(FLV_TAG_VIDEO, 0x01234567, Buffer.from([0x17, 1])))!;
    expect(tag).toMatchObject({ type: FLV_TAG_VIDEO, timestamp: 0x01234567, video: { frameType: 1, codecId: 7, packetType: 1 } });
  });

  it('set the header presence flags', () => {
    expect(flvHeader({ audio: true, video: true })[4]).toBe(5);
    expect(flvHeader({ audio: false, video: true })[4]).toBe(1);
    expect(flvHeader({ audio: true, video: true }).length).toBe(13);
  });
});
