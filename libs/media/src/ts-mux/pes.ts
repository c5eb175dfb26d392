/**
 * PES packets (ISO/IEC 13818-1 2.4.3.6) as the muxer writes them: stream id, optional length,
 * PTS (and DTS when it differs), no other optional fields.
 */

/** MPEG-TS timestamps count a 90 kHz clock on 33 bits: they wrap after about 26.5 hours. */
export const TS_CLOCK_HZ = 90_000;
export const TIMESTAMP_MODULO = 2 ** 33;

export const PES_STREAM_ID_VIDEO = 0xe0;
export const PES_STREAM_ID_AUDIO = 0xc0;

/** Milliseconds (FLV's unit) to 90 kHz ticks, wrapped to 33 bits. */
export function msToTicks(ms: number): number {
  return ((Math.round(ms * 90) % TIMESTAMP_MODULO) + TIMESTAMP_MODULO) % TIMESTAMP_MODULO;
}

/**
 * Writes a 33-bit timestamp in the 5-byte PES layout: 4-bit prefix, then 3 + 15 + 15 bits each
 * followed by a marker bit. `prefix` is 0b0010 (PTS only), 0b0011 (PTS of PTS+DTS), 0b0001 (DTS).
 */
export function writeTimestamp(target: Buffer, offset: number, prefix: number, ticks: number): void {
  const value = ((ticks % TIMESTAMP_MODULO) + TIMESTAMP_MODULO) % TIMESTAMP_MODULO;
  const high = Math.floor(value / 2 ** 30); // bits 32..30
  const low30 = value % 2 ** 30;
  target[offset] = (prefix << 4) | (high << 1) | 1;
  target[offset + 1] = (low30 >>> 22) & 0xff;
  target[offset + 2] = (((low30 >>> 15) & 0x7f) << 1) | 1;
  target[offset + 3] = (low30 >>> 7) & 0xff;
  target[offset + 4] = ((low30 & 0x7f) << 1) | 1;
}

/** The inverse of writeTimestamp (tests, and anything reading our own output). */
export function readTimestamp(source: Buffer, offset: number): number {
  const high = (source[offset] >> 1) & 0x07;
  const low30 =
    ((source[offset + 1] << 22) | ((source[offset + 2] >> 1) << 15) | (source[offset + 3] << 7) | (source[offset + 4] >> 1)) >>> 0;
  return high * 2 ** 30 + low30;
}

export interface PesTiming {
  /** 90 kHz ticks */
  pts: number;
  /** 90 kHz ticks; written only when it differs from the PTS (frames reordered by B-frames) */
  dts?: number;
}

/** Bytes after the 6-byte PES start (flags, header length, timestamps) for this timing. */
function optionalHeaderLength(timing: PesTiming): number {
  return 3 + (timing.dts !== undefined && timing.dts !== timing.pts ? 10 : 5);
}

/**
 * The PES header for `payloadLength` bytes of elementary stream. PES_packet_length counts the
 * bytes after it; a video PES too long for its 16 bits says 0 (unbounded), which 13818-1 allows
 * for video in transport streams only, so audio longer than that is refused.
 */
export function pesHeader(streamId: number, payloadLength: number, timing: PesTiming): Buffer {
  const withDts = timing.dts !== undefined && timing.dts !== timing.pts;
  const optional = optionalHeaderLength(timing);
  const header = Buffer.alloc(6 + optional);
  header[2] = 0x01; // start code prefix 00 00 01
  header[3] = streamId;
  const packetLength = optional + payloadLength;
  if (packetLength > 0xffff) {
    if (streamId !== PES_STREAM_ID_VIDEO) throw new RangeError(`a ${payloadLength}-byte audio frame does not fit one PES packet`);
    header.writeUInt16BE(0, 4);
  } else {
    header.writeUInt16BE(packetLength, 4);
  }
  header[6] = 0x80; // '10', not scrambled, no priority, no alignment flag, not copyrighted, copy
  header[7] = withDts ? 0xc0 : 0x80;
  header[8] = optional - 3;
  writeTimestamp(header, 9, withDts ? 0b0011 : 0b0010, timing.pts);
  if (withDts) writeTimestamp(header, 14, 0b0001, timing.dts!);
  return header;
}
