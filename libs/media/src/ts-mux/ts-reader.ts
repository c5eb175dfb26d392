import { TS_PACKET_SIZE, TS_SYNC_BYTE, readPcr } from './ts-packets';

/** One transport packet, as far as checking a stream's structure needs (tests, diagnostics). */
export interface TsPacketView {
  pid: number;
  payloadUnitStart: boolean;
  continuityCounter: number;
  randomAccess: boolean;
  pcr?: number;
  /** the bytes after the header and adaptation field */
  payload: Buffer;
}

/** Splits a transport stream into packets; throws on a size that is not whole packets or a lost sync byte. */
export function readTsPackets(stream: Buffer): TsPacketView[] {
  if (stream.length % TS_PACKET_SIZE !== 0) throw new RangeError(`${stream.length} bytes is not a whole number of 188-byte packets`);
  const packets: TsPacketView[] = [];
  for (let at = 0; at < stream.length; at += TS_PACKET_SIZE) {
    const packet = stream.subarray(at, at + TS_PACKET_SIZE);
    if (packet[0] !== TS_SYNC_BYTE) throw new RangeError(`packet at byte ${at} does not start with the sync byte`);
    const control = (packet[3] >> 4) & 0x03;
    const adaptationLength = control & 0x02 ? packet[4] + 1 : 0;
    if (4 + adaptationLength > TS_PACKET_SIZE) throw new RangeError(`packet at byte ${at} has an adaptation field past its end`);
    packets.push({
      pid: ((packet[1] & 0x1f) << 8) | packet[2],
      payloadUnitStart: (packet[1] & 0x40) !== 0,
      continuityCounter: packet[3] & 0x0f,
      randomAccess: adaptationLength > 1 && (packet[5] & 0x40) !== 0,
      pcr: readPcr(packet),
      payload: control & 0x01 ? packet.subarray(4 + adaptationLength) : Buffer.alloc(0),
    });
  }
  return packets;
}

/**
 * Continuity counter errors: every packet with payload must count one on from the last one of
 * its PID (13818-1 2.4.3.3). `previous` carries the last counters over from an earlier segment.
 */
export function continuityErrors(packets: TsPacketView[], previous = new Map<number, number>()): string[] {
  const errors: string[] = [];
  packets.forEach((packet, index) => {
    if (!packet.payload.length) return;
    const last = previous.get(packet.pid);
    if (last !== undefined && packet.continuityCounter !== ((last + 1) & 0x0f)) {
      errors.push(`packet ${index} (PID ${packet.pid}): counter ${packet.continuityCounter} after ${last}`);
    }
    previous.set(packet.pid, packet.continuityCounter);
  });
  return errors;
}

/** The PES packets of one PID, reassembled from their transport packets. */
export function pesPackets(packets: TsPacketView[], pid: number): Buffer[] {
  const pes: Buffer[][] = [];
  for (const packet of packets) {
    if (packet.pid !== pid) continue;
    if (packet.payloadUnitStart) pes.push([]);
    pes.at(-1)?.push(packet.payload);
  }
  return pes.map((parts) => Buffer.concat(parts));
}
