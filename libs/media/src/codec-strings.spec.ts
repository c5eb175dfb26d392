import type { MediaInfo, StreamInfo } from './probe';
import { audioCodecString, avcCodecString, codecsOf, findSpsInTransportStream } from './codec-strings';

const video = (profile: string, level: number): StreamInfo => ({
  index: 0,
  type: 'video',
  codec: 'h264',
  profile,
  level,
  width: 640,
  height: 360,
});
const aac: StreamInfo = { index: 1, type: 'audio', codec: 'aac', profile: 'LC' };

/** One 188-byte TS packet with the payload at its start, padded with an adaptation field. */
function packet(pid: number, payload: number[], unitStart = true): Buffer {
  const stuffing = 184 - payload.length;
  const header = [0x47, (unitStart ? 0x40 : 0) | (pid >> 8), pid & 0xff];
  if (stuffing === 0) return Buffer.from([...header, 0x10, ...payload]);
  const adaptation = stuffing === 1 ? [0] : [stuffing - 1, 0, ...Array(stuffing - 2).fill(0xff)];
  return Buffer.from([...header, 0x30, ...adaptation, ...payload]);
}

/** PAT -> PMT (pid 0x1000) -> H.264 on pid 0x100 whose first PES starts with an AUD and an SPS. */
function transportStream(sps: number[]): Buffer {
  const pat = [0, 0x00, 0xb0, 13, 0, 1, 0xc1, 0, 0, 0, 1, 0xf0, 0x00, 0, 0, 0, 0];
  const pmt = [0, 0x02, 0xb0, 18, 0, 1, 0xc1, 0, 0, 0xe1, 0x00, 0xf0, 0x00, 0x1b, 0xe1, 0x00, 0xf0, 0x00, 0, 0, 0, 0];
  const pes = [0, 0, 1, 0xe0, 0, 0, 0x80, 0x80, 5, 0x21, 0, 1, 0, 1];
  const es = [0, 0, 0, 1, 0x09, 0xf0, 0, 0, 0, 1, 0x67, ...sps, 0xda, 0x05];
  return Buffer.concat([packet(0, pat), packet(0x1000, pmt), packet(0x100, [...pes, ...es])]);
}

describe('RFC 6381 codec strings', () => {
  it('names H.264 by profile_idc, constraint flags and level', () => {
    expect(avcCodecString(video('High', 31))).toBe('avc1.64001f');
    expect(avcCodecString(video('Main', 30))).toBe('avc1.4d401e');
    expect(avcCodecString(video('Constrained Baseline', 13))).toBe('avc1.42c00d');
  });

  it("takes the constraint byte from the stream's own SPS when it agrees with ffprobe", () => {
    expect(avcCodecString(video('Constrained Baseline', 30), { profileIdc: 66, constraints: 0xe0, levelIdc: 30 })).toBe('avc1.42e01e');
    // An SPS that disagrees (it belongs to something else) is ignored.
    expect(avcCodecString(video('High', 31), { profileIdc: 66, constraints: 0xe0, levelIdc: 30 })).toBe('avc1.64001f');
  });

  it('has no string for what it cannot name', () => {
    expect(avcCodecString({ ...video('High', 31), codec: 'hevc' })).toBeUndefined();
    expect(avcCodecString(video('Mystery', 31))).toBeUndefined();
    expect(avcCodecString({ ...video('High', 31), level: undefined })).toBeUndefined();
  });

  it('names audio', () => {
    expect(audioCodecString(aac)).toBe('mp4a.40.2');
    expect(audioCodecString({ ...aac, profile: 'HE-AAC' })).toBe('mp4a.40.5');
    expect(audioCodecString({ ...aac, codec: 'mp3', profile: undefined })).toBe('mp4a.40.34');
    expect(audioCodecString({ ...aac, codec: 'opus' })).toBeUndefined();
  });

  it('finds the SPS in an MPEG-TS segment through PAT and PMT', () => {
    expect(findSpsInTransportStream(transportStream([0x42, 0xc0, 0x0d]))).toEqual({ profileIdc: 66, constraints: 0xc0, levelIdc: 13 });
    expect(findSpsInTransportStream(Buffer.from('not a transport stream at all'.repeat(20)))).toBeUndefined();
  });

  it('lists every format present, video first', () => {
    const info = { video: video('Constrained Baseline', 13), audio: aac, streams: [] } as unknown as MediaInfo;
    expect(codecsOf(info, transportStream([0x42, 0xe0, 0x0d]))).toBe('avc1.42e00d,mp4a.40.2');
    expect(codecsOf({ ...info, audio: undefined })).toBe('avc1.42c00d');
  });
});
