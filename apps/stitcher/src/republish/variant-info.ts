import { codecsOf, describeTransportSegment, findSpsUnitInTransportStream, probeMedia } from '@lib/media';
import { ConcurrencyLimit } from '@lib/timing';
import type { VariantStreamModel } from '@lib/hls';

/** What the master playlist says about a variant, measured on segments actually received. */
export interface VariantInfo {
  resolution: { width: number; height: number };
  codecs: string;
  frameRate?: number;
  /** Advertised peak bits/s: raised (with headroom) whenever a segment exceeds it. */
  bandwidth: number;
  /** The H.264 SPS the description was probed from (hex), when the segment had one. */
  sps?: string;
}

/** The segment's H.264 SPS (coded size, profile, level) as a comparable string. */
export function spsFingerprint(segment: Buffer): string | undefined {
  return findSpsUnitInTransportStream(segment)?.toString('hex');
}

/**
 * Whether a variant's description still holds for a later segment of it: a different SPS is a
 * new resolution or profile (an encoder reconfigured without reconnecting), to be probed again.
 */
export function stillDescribes(info: VariantInfo, segment: Buffer): boolean {
  const sps = spsFingerprint(segment);
  return sps === undefined || info.sps === undefined || sps === info.sps;
}

/** Headroom added when the advertised peak is raised, so that it does not move with every segment. */
const BANDWIDTH_HEADROOM = 1.1;

export function segmentBitsPerSecond(bytes: number, durationMs: number): number {
  return Math.ceil((bytes * 8 * 1000) / Math.max(durationMs, 1));
}

/** The advertised peak after one more segment: unchanged unless the segment went above it. */
export function raisedBandwidth(current: number | undefined, bytes: number, durationMs: number): number {
  const rate = segmentBitsPerSecond(bytes, durationMs);
  if (current !== undefined && rate <= current) return current;
  return Math.ceil((rate * BANDWIDTH_HEADROOM) / 1000) * 1000;
}

/**
 * ffprobe processes one stitcher process runs at once, for the variants the segment's own bytes
 * cannot describe. Streams starting together (a restart, a takeover, an event) each describe
 * every variant at once: unbounded, that burst took every core for seconds and delayed all
 * streams' playlists.
 */
const probes = new ConcurrencyLimit(2);

/**
 * Resolution, frame rate and RFC 6381 codecs of a variant, from one of its segments; undefined if
 * unusable. Read in process from the SPS, PMT and ADTS headers (`describeTransportSegment`), so
 * that a session's first listing does not wait for an ffprobe of each of its variants behind
 * every other new session's: at 30 streams starting together that queue was about 90 probes,
 * and the first seconds of every session were skipped while it drained. ffprobe describes only
 * what that cannot (not H.264, an audio format it cannot name).
 */
export async function probeVariant(
  bytes: Buffer,
  counted: (how: 'in-process' | 'ffprobe') => void = () => undefined,
): Promise<Omit<VariantInfo, 'bandwidth' | 'sps'> | undefined> {
  const described = describeTransportSegment(bytes);
  if (described) {
    counted('in-process');
    const { width, height, codecs, frameRate } = described;
    return { resolution: { width, height }, codecs, frameRate };
  }
  counted('ffprobe');
  const info = await probes.run(() => probeMedia(bytes, { timeoutMs: 15_000 }));
  const codecs = codecsOf(info, bytes);
  const { width, height, fps } = info.video ?? {};
  if (!codecs || !width || !height) return undefined;
  return { resolution: { width, height }, codecs, frameRate: fps && fps > 0 && fps < 1000 ? fps : undefined };
}

export function variantModel(name: string, info: VariantInfo): VariantStreamModel {
  return {
    uri: `${name}/index.m3u8`,
    bandwidth: info.bandwidth,
    resolution: info.resolution,
    codecs: info.codecs,
    frameRate: info.frameRate,
  };
}
