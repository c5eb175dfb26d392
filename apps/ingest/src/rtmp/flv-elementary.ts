import { AacConfig, AvcDecoderConfig, adtsFrame, avccToAnnexB, parseAudioSpecificConfig, parseAvcDecoderConfig } from '@lib/media';
import { FLV_TAG_AUDIO, FLV_TAG_VIDEO, FlvTag } from './flv';

/** The audio MPEG-TS segments can carry, by FLV sound format (AAC; MP3 and MP3 8 kHz). */
export type SegmentAudio = 'aac' | 'mp3';
const SOUND_FORMAT_AAC = 10;
const SOUND_FORMATS_MP3 = new Set([2, 14]);
const CODEC_H264 = 7;

/** A frame ready for the transport stream: annex B video or ADTS/MP3 audio, times in ms. */
export type ElementaryFrame =
  { kind: 'video'; dtsMs: number; ptsMs: number; keyframe: boolean; data: Buffer } | { kind: 'audio'; ptsMs: number; data: Buffer };

/**
 * Turns FLV audio/video tags into elementary-stream frames: keeps the decoder configuration
 * from the sequence headers (AVCDecoderConfigurationRecord, AudioSpecificConfig) and converts
 * each frame with it. Sequence headers, end-of-sequence and video command tags yield nothing;
 * so do frames before their configuration, which no decoder could use. Audio of another
 * format than the one the segments carry is an error, as is a malformed frame.
 */
export class FlvElementaryStreams {
  private avc?: AvcDecoderConfig;
  private aac?: AacConfig;

  constructor(private readonly audio: SegmentAudio | undefined) {}

  frame(tag: FlvTag): ElementaryFrame | null {
    if (tag.type === FLV_TAG_VIDEO) return this.videoFrame(tag);
    if (tag.type === FLV_TAG_AUDIO && this.audio) return this.audioFrame(tag);
    return null;
  }

  private videoFrame(tag: FlvTag): ElementaryFrame | null {
    const video = tag.video;
    if (!video || video.frameType === 5) return null;
    if (video.codecId !== CODEC_H264) throw new RangeError(`video codec id ${video.codecId} arrived in an H.264 publish`);
    if (tag.data.length < 5) throw new RangeError('AVC video tag shorter than its 5-byte header');
    if (video.packetType === 0) {
      this.avc = parseAvcDecoderConfig(tag.data.subarray(5));
      return null;
    }
    if (video.packetType !== 1 || !this.avc) return null;
    // Composition time: signed 24 bits, ms from decode to presentation (B-frames).
    const compositionMs = (tag.data.readUIntBE(2, 3) << 8) >> 8;
    const keyframe = video.frameType === 1;
    const data = avccToAnnexB(tag.data.subarray(5), this.avc, keyframe);
    return { kind: 'video', dtsMs: tag.timestamp, ptsMs: tag.timestamp + compositionMs, keyframe, data };
  }

  private audioFrame(tag: FlvTag): ElementaryFrame | null {
    const format = tag.audio?.soundFormat;
    if (format === undefined) return null;
    if (this.audio === 'aac') {
      if (format !== SOUND_FORMAT_AAC) throw new RangeError(`audio sound format ${format} arrived in an AAC publish`);
      if (tag.data.length < 2) return null;
      if (tag.audio?.aacPacketType === 0) {
        this.aac = parseAudioSpecificConfig(tag.data.subarray(2));
        return null;
      }
      if (!this.aac || tag.data.length === 2) return null;
      return { kind: 'audio', ptsMs: tag.timestamp, data: adtsFrame(tag.data.subarray(2), this.aac) };
    }
    if (!SOUND_FORMATS_MP3.has(format)) throw new RangeError(`audio sound format ${format} arrived in an MP3 publish`);
    if (tag.data.length < 2) return null;
    return { kind: 'audio', ptsMs: tag.timestamp, data: tag.data.subarray(1) };
  }
}
