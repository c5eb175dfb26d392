import { PES_STREAM_ID_AUDIO, PES_STREAM_ID_VIDEO, pesHeader } from './pes';
import {
  ContinuityCounters,
  ElementaryStream,
  PID_AUDIO,
  PID_VIDEO,
  STREAM_TYPE_AAC_ADTS,
  STREAM_TYPE_H264,
  STREAM_TYPE_MPEG1_AUDIO,
  packetize,
  patPacket,
  pmtPacket,
} from './ts-packets';

export interface TsMuxerTracks {
  video?: 'h264';
  /** `aac`: ADTS frames; `mp3`: MPEG audio frames as they are */
  audio?: 'aac' | 'mp3';
}

/**
 * One program of H.264 video and/or AAC/MP3 audio as an MPEG-TS byte stream. The caller hands
 * in elementary-stream frames (annex B access units, ADTS frames) with 90 kHz timestamps and
 * gets transport packets back; it decides where segments start and calls `tables()` there, so
 * each segment opens with a PAT and PMT. Continuity counters run on across segments, as in one
 * continuous stream cut in pieces. The PCR rides on the video PID (the audio PID without video)
 * in the first packet of every PES, and equals that PES's DTS: the timestamps are the
 * publisher's own, with no added offset.
 */
export class TsMuxer {
  private readonly counters = new ContinuityCounters();
  private readonly streams: ElementaryStream[] = [];
  private readonly pcrPid: number;

  constructor(readonly tracks: TsMuxerTracks) {
    if (tracks.video) this.streams.push({ pid: PID_VIDEO, streamType: STREAM_TYPE_H264 });
    if (tracks.audio)
      this.streams.push({ pid: PID_AUDIO, streamType: tracks.audio === 'aac' ? STREAM_TYPE_AAC_ADTS : STREAM_TYPE_MPEG1_AUDIO });
    if (!this.streams.length) throw new RangeError('a transport stream needs a video or an audio track');
    this.pcrPid = tracks.video ? PID_VIDEO : PID_AUDIO;
  }

  /** PAT and PMT: the first two packets of every segment. */
  tables(): Buffer {
    return Buffer.concat([patPacket(this.counters), pmtPacket(this.pcrPid, this.streams, this.counters)]);
  }

  /** One access unit (annex B); `pts`/`dts` in 90 kHz ticks. */
  video(accessUnit: Buffer, pts: number, dts: number, keyframe: boolean): Buffer {
    if (!this.tracks.video) throw new Error('this transport stream has no video track');
    const pes = Buffer.concat([pesHeader(PES_STREAM_ID_VIDEO, accessUnit.length, { pts, dts }), accessUnit]);
    return packetize(PID_VIDEO, pes, this.counters, { pcr: dts, randomAccess: keyframe });
  }

  /** One audio frame (ADTS for AAC) at `pts` (90 kHz ticks). */
  audio(frame: Buffer, pts: number): Buffer {
    if (!this.tracks.audio) throw new Error('this transport stream has no audio track');
    const pes = Buffer.concat([pesHeader(PES_STREAM_ID_AUDIO, frame.length, { pts }), frame]);
    const carriesPcr = this.pcrPid === PID_AUDIO;
    return packetize(PID_AUDIO, pes, this.counters, carriesPcr ? { pcr: pts, randomAccess: true } : {});
  }
}
