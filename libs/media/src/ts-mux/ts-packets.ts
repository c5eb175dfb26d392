import { crc32Mpeg2 } from './crc32';
import { TIMESTAMP_MODULO } from './pes';

/**
 * Transport stream packets (ISO/IEC 13818-1 2.4.3): 188 bytes, sync byte 0x47, a 13-bit PID,
 * a 4-bit continuity counter per PID that counts packets carrying payload, and an
 * adaptation field for the PCR, the random-access flag and stuffing.
 */
export const TS_PACKET_SIZE = 188;
export const TS_SYNC_BYTE = 0x47;
const HEADER_SIZE = 4;
const PAYLOAD_SIZE = TS_PACKET_SIZE - HEADER_SIZE;

export const PID_PAT = 0x0000;
/** The PIDs ffmpeg's mpegts muxer uses, so our segments look like the ones it cut before. */
export const PID_PMT = 0x1000;
export const PID_VIDEO = 0x0100;
export const PID_AUDIO = 0x0101;

export const STREAM_TYPE_H264 = 0x1b;
export const STREAM_TYPE_AAC_ADTS = 0x0f;
export const STREAM_TYPE_MPEG1_AUDIO = 0x03;

/** Continuity counters of one transport stream, per PID (mod 16). */
export class ContinuityCounters {
  private readonly next = new Map<number, number>();

  take(pid: number): number {
    const value = this.next.get(pid) ?? 0;
    this.next.set(pid, (value + 1) & 0x0f);
    return value;
  }
}

export interface PacketizeOptions {
  /** Program clock reference, in 90 kHz ticks (the 27 MHz extension is written as 0), in the first packet. */
  pcr?: number;
  /** Marks the first packet as a random access point (a keyframe's PES). */
  randomAccess?: boolean;
}

/**
 * Splits one PES packet (or PSI section with its pointer field) into transport packets on
 * `pid`: payload_unit_start on the first, the PCR and random-access flag in its adaptation
 * field, and the last packet filled up with adaptation-field stuffing (never payload padding,
 * which a PES cannot have).
 */
export function packetize(pid: number, payload: Buffer, counters: ContinuityCounters, options: PacketizeOptions = {}): Buffer {
  if (!payload.length) throw new RangeError('nothing to packetize: a PES or section has at least a header');
  const firstFields = options.pcr !== undefined || options.randomAccess ? 2 + (options.pcr !== undefined ? 6 : 0) : 0;
  const count = Math.ceil((payload.length + firstFields) / PAYLOAD_SIZE);
  const out = Buffer.alloc(count * TS_PACKET_SIZE);
  let read = 0;
  for (let index = 0; index < count; index++) {
    const at = index * TS_PACKET_SIZE;
    const first = index === 0;
    const fields = first ? firstFields : 0;
    const remaining = payload.length - read;
    // What goes in this packet, and how many bytes of adaptation field (length byte included) precede it.
    const take = Math.min(remaining, PAYLOAD_SIZE - fields);
    const adaptation = PAYLOAD_SIZE - take;
    out[at] = TS_SYNC_BYTE;
    out[at + 1] = (first ? 0x40 : 0) | ((pid >> 8) & 0x1f);
    out[at + 2] = pid & 0xff;
    out[at + 3] = (adaptation > 0 ? 0x30 : 0x10) | counters.take(pid);
    if (adaptation > 0) {
      out[at + 4] = adaptation - 1; // adaptation_field_length excludes itself
      if (adaptation > 1) {
        out[at + 5] = first && options.randomAccess ? 0x40 : 0;
        let cursor = at + 6;
        if (first && options.pcr !== undefined) {
          out[at + 5] |= 0x10;
          writePcr(out, cursor, options.pcr);
          cursor += 6;
        }
        out.fill(0xff, cursor, at + HEADER_SIZE + adaptation);
      }
    }
    payload.copy(out, at + HEADER_SIZE + adaptation, read, read + take);
    read += take;
  }
  return out;
}

/** PCR base (33 bits, 90 kHz), 6 reserved bits, extension (9 bits, 27 MHz remainder; 0 here). */
function writePcr(target: Buffer, offset: number, ticks: number): void {
  const base = ((ticks % TIMESTAMP_MODULO) + TIMESTAMP_MODULO) % TIMESTAMP_MODULO;
  target[offset] = Math.floor(base / 2 ** 25) & 0xff;
  target[offset + 1] = Math.floor(base / 2 ** 17) & 0xff;
  target[offset + 2] = Math.floor(base / 2 ** 9) & 0xff;
  target[offset + 3] = Math.floor(base / 2) & 0xff;
  target[offset + 4] = ((base % 2) << 7) | 0x7e;
  target[offset + 5] = 0;
}

/** Reads the PCR base back from a packet that has one (tests); undefined otherwise. */
export function readPcr(packet: Buffer): number | undefined {
  const hasAdaptation = (packet[3] & 0x20) !== 0;
  if (!hasAdaptation || packet[4] < 7 || (packet[5] & 0x10) === 0) return undefined;
  return packet[6] * 2 ** 25 + packet[7] * 2 ** 17 + packet[8] * 2 ** 9 + packet[9] * 2 + (packet[10] >> 7);
}

/** A PSI section (table id + syntax-indicated body + CRC) behind a zero pointer field. */
function psiSection(tableId: number, tableIdExtension: number, body: Buffer): Buffer {
  const section = Buffer.alloc(8 + body.length + 4);
  section[0] = tableId;
  // section_syntax_indicator 1, '0', reserved '11', 12-bit section_length (bytes after it, CRC included)
  section.writeUInt16BE(0xb000 | (5 + body.length + 4), 1);
  section.writeUInt16BE(tableIdExtension, 3);
  section[5] = 0xc1; // reserved '11', version 0, current_next_indicator 1
  section[6] = 0; // section_number
  section[7] = 0; // last_section_number
  body.copy(section, 8);
  section.writeUInt32BE(crc32Mpeg2(section.subarray(0, 8 + body.length)), 8 + body.length);
  return Buffer.concat([Buffer.from([0]), section]);
}

/** PSI packets are padded with 0xFF after the section, not with adaptation-field stuffing. */
function psiPacket(pid: number, section: Buffer, counters: ContinuityCounters): Buffer {
  const packet = Buffer.alloc(TS_PACKET_SIZE, 0xff);
  packet[0] = TS_SYNC_BYTE;
  packet[1] = 0x40 | ((pid >> 8) & 0x1f);
  packet[2] = pid & 0xff;
  packet[3] = 0x10 | counters.take(pid);
  section.copy(packet, HEADER_SIZE);
  return packet;
}

/** The program association table: program 1 at PID_PMT. */
export function patPacket(counters: ContinuityCounters): Buffer {
  const body = Buffer.from([0x00, 0x01, 0xe0 | (PID_PMT >> 8), PID_PMT & 0xff]);
  return psiPacket(PID_PAT, psiSection(0x00, 0x0001, body), counters);
}

export interface ElementaryStream {
  pid: number;
  streamType: number;
}

/** The program map table of program 1: its PCR PID and elementary streams (no descriptors). */
export function pmtPacket(pcrPid: number, streams: ElementaryStream[], counters: ContinuityCounters): Buffer {
  const body = Buffer.alloc(4 + streams.length * 5);
  body.writeUInt16BE(0xe000 | pcrPid, 0);
  body.writeUInt16BE(0xf000, 2); // program_info_length 0
  streams.forEach((stream, i) => {
    body[4 + i * 5] = stream.streamType;
    body.writeUInt16BE(0xe000 | stream.pid, 5 + i * 5);
    body.writeUInt16BE(0xf000, 7 + i * 5);
  });
  return psiPacket(PID_PMT, psiSection(0x02, 0x0001, body), counters);
}
