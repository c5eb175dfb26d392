import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FFPROBE_PATH, runProcess } from './process';

export interface StreamInfo {
  index: number;
  type: 'video' | 'audio' | 'other';
  codec: string;
  profile?: string;
  level?: number;
  width?: number;
  height?: number;
  /** frames per second (average rate, falling back to the base rate) */
  fps?: number;
  /** bits per second: as the container states it, else counted from packets when asked */
  bitrate?: number;
  /** seconds */
  startTime?: number;
  /** seconds */
  duration?: number;
  sampleRate?: number;
  channels?: number;
  /** number of packets, when packets were counted */
  packets?: number;
}

export interface MediaInfo {
  formatName: string;
  /** seconds, as ffprobe computes it for the whole file */
  duration: number;
  /** seconds: the first timestamp of the file (MPEG-TS keeps the encoder's clock) */
  startTime: number;
  /** bits per second of the whole file (container overhead included) */
  bitrate?: number;
  size?: number;
  streams: StreamInfo[];
  /** the first video stream */
  video?: StreamInfo;
  /** the first audio stream */
  audio?: StreamInfo;
}

export interface ProbeOptions {
  /**
   * Also read every packet to count per-stream bitrates (MPEG-TS states none). Costs a read
   * of the whole file; fine for segments.
   */
  countPackets?: boolean;
  timeoutMs?: number;
  signal?: AbortSignal;
  /**
   * Bytes from outside (a pushed segment): read them as this demuxer only, from the
   * local file only. Without it ffprobe guesses the format from the content, and a
   * playlist or concat script would make it open whatever files or URLs it names.
   */
  untrustedFormat?: 'mpegts' | 'mp4';
}

interface FfprobeStream {
  index: number;
  codec_type?: string;
  codec_name?: string;
  profile?: string;
  level?: number;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  bit_rate?: string;
  start_time?: string;
  duration?: string;
  sample_rate?: string;
  channels?: number;
}

interface FfprobeOutput {
  streams?: FfprobeStream[];
  format?: { format_name?: string; duration?: string; start_time?: string; bit_rate?: string; size?: string };
  packets?: { stream_index: number; size: string }[];
}

function num(value: string | number | undefined): number | undefined {
  if (value === undefined || value === 'N/A') return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/** "30000/1001" -> 29.97; "0/0" -> undefined */
export function parseRate(rate: string | undefined): number | undefined {
  if (!rate) return undefined;
  const [n, d] = rate.split('/').map(Number);
  if (!d) return num(n);
  const value = n / d;
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

/** Describes a media file or an in-memory segment with ffprobe. */
export async function probeMedia(input: string | Buffer, options: ProbeOptions = {}): Promise<MediaInfo> {
  if (typeof input === 'string') return probeFile(input, options);
  // A file, not stdin: ffprobe can only measure an MPEG-TS duration exactly when it can seek to the end.
  const dir = await mkdtemp(path.join(tmpdir(), 'probe-'));
  try {
    const file = path.join(dir, 'input');
    await writeFile(file, input);
    return await probeFile(file, options);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function probeFile(file: string, options: ProbeOptions): Promise<MediaInfo> {
  const args = ['-hide_banner', '-v', 'error', '-print_format', 'json', '-show_format', '-show_streams'];
  if (options.countPackets) args.push('-show_entries', 'packet=stream_index,size');
  args.push(...inputArgs(file, options.untrustedFormat));
  const { stdout } = await runProcess(FFPROBE_PATH, args, {
    timeoutMs: options.timeoutMs ?? 30_000,
    signal: options.signal,
  });
  return toMediaInfo(JSON.parse(stdout.toString('utf8')) as FfprobeOutput);
}

/**
 * ffprobe's input arguments for `file`: as is, or (for untrusted bytes) confined to one
 * demuxer and the file protocol, the path given as `file:` so no other protocol is read into it.
 */
export function inputArgs(file: string, untrustedFormat?: 'mpegts' | 'mp4'): string[] {
  if (!untrustedFormat) return [file];
  return ['-f', untrustedFormat === 'mp4' ? 'mov' : untrustedFormat, '-protocol_whitelist', 'file', `file:${path.resolve(file)}`];
}

function toMediaInfo(out: FfprobeOutput): MediaInfo {
  const packetBytes = new Map<number, { bytes: number; count: number }>();
  for (const p of out.packets ?? []) {
    const entry = packetBytes.get(p.stream_index) ?? { bytes: 0, count: 0 };
    entry.bytes += Number(p.size) || 0;
    entry.count += 1;
    packetBytes.set(p.stream_index, entry);
  }
  const formatDuration = num(out.format?.duration) ?? 0;
  const streams = (out.streams ?? []).map((s): StreamInfo => {
    const type = s.codec_type === 'video' || s.codec_type === 'audio' ? s.codec_type : 'other';
    const duration = num(s.duration);
    const counted = packetBytes.get(s.index);
    const seconds = duration ?? formatDuration;
    const info: StreamInfo = {
      index: s.index,
      type,
      codec: s.codec_name ?? 'unknown',
      profile: s.profile,
      level: s.level,
      width: s.width,
      height: s.height,
      fps: type === 'video' ? (parseRate(s.avg_frame_rate) ?? parseRate(s.r_frame_rate)) : undefined,
      bitrate: num(s.bit_rate) ?? (counted && seconds > 0 ? Math.round((counted.bytes * 8) / seconds) : undefined),
      startTime: num(s.start_time),
      duration,
      sampleRate: num(s.sample_rate),
      channels: s.channels,
      packets: counted?.count,
    };
    return Object.fromEntries(Object.entries(info).filter(([, v]) => v !== undefined)) as unknown as StreamInfo;
  });
  return {
    formatName: out.format?.format_name ?? 'unknown',
    duration: formatDuration,
    startTime: num(out.format?.start_time) ?? 0,
    bitrate: num(out.format?.bit_rate),
    size: num(out.format?.size),
    streams,
    video: streams.find((s) => s.type === 'video'),
    audio: streams.find((s) => s.type === 'audio'),
  };
}
