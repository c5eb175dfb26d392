import { TS_PACKET_SIZE, TS_SYNC_BYTE } from './ts-packets';

/**
 * Reading the program of an MPEG-TS stream (ISO/IEC 13818-1): its packets, the program
 * association table (PAT) naming the program map PID, and the program map table (PMT) naming
 * each elementary stream's PID and type. Every reader of received segments (the push scan,
 * the stitcher's SPS check) walks a stream this one way.
 */

export interface ElementaryStream {
  pid: number;
  streamType: number;
}

/** One transport packet's header facts and payload, as the walk visits it. */
export interface TsPacket {
  /** byte offset in the stream */
  at: number;
  pid: number;
  unitStart: boolean;
  /** the adaptation field's random access indicator */
  randomAccess: boolean;
  /** the bytes after the header and adaptation field (empty when the packet carries none) */
  payload: Buffer;
}

export class TsStructureError extends Error {}

/**
 * Visits each whole packet in order until `visit` returns true (found what it wanted). A
 * trailing partial packet is ignored, as demuxers do (and as a head read of a stream ends);
 * a lost sync byte or an adaptation field past the packet's end throws TsStructureError.
 */
export function walkPackets(ts: Buffer, visit: (packet: TsPacket) => boolean | void): void {
  for (let at = 0; at + TS_PACKET_SIZE <= ts.length; at += TS_PACKET_SIZE) {
    if (ts[at] !== TS_SYNC_BYTE) throw new TsStructureError(`not MPEG-TS: no sync byte at byte ${at}`);
    const control = (ts[at + 3] >> 4) & 0x03;
    const adaptation = control & 0x02 ? ts[at + 4] + 1 : 0;
    if (4 + adaptation > TS_PACKET_SIZE) throw new TsStructureError(`packet at byte ${at} has an adaptation field past its end`);
    const packet: TsPacket = {
      at,
      pid: ((ts[at + 1] & 0x1f) << 8) | ts[at + 2],
      unitStart: (ts[at + 1] & 0x40) !== 0,
      randomAccess: adaptation > 1 && (ts[at + 5] & 0x40) !== 0,
      payload: control & 0x01 ? ts.subarray(at + 4 + adaptation, at + TS_PACKET_SIZE) : EMPTY,
    };
    if (visit(packet) === true) return;
  }
}

const EMPTY = Buffer.alloc(0);

/**
 * Follows PAT -> PMT while walking: `onProgram` gets the program's streams once its PMT is
 * read, and every later packet of one of those streams goes to `onStream`; either may return
 * true to stop the walk. Returns what was learnt (for the caller's "no PAT" / "no PMT" errors).
 */
export function walkProgram(
  ts: Buffer,
  onStream: (packet: TsPacket, stream: ElementaryStream) => boolean | void,
  onProgram: (streams: ElementaryStream[]) => boolean | void = () => undefined,
): { pmtPid?: number; streams?: ElementaryStream[] } {
  let pmtPid: number | undefined;
  let streams: ElementaryStream[] | undefined;
  let byPid = new Map<number, ElementaryStream>();
  walkPackets(ts, (packet) => {
    if (!packet.payload.length) return;
    if (packet.pid === 0 && packet.unitStart && pmtPid === undefined) {
      pmtPid = programMapPid(afterPointer(packet.payload));
    } else if (packet.pid === pmtPid && packet.unitStart && streams === undefined) {
      streams = elementaryStreams(afterPointer(packet.payload));
      byPid = new Map(streams.map((s) => [s.pid, s]));
      return onProgram(streams);
    } else {
      const stream = byPid.get(packet.pid);
      if (stream) return onStream(packet, stream);
    }
  });
  return { pmtPid, streams };
}

/** A PSI section after its pointer field (13818-1 2.4.4.2). */
function afterPointer(payload: Buffer): Buffer {
  return payload.subarray(1 + (payload[0] ?? 0));
}

/** PAT: the first program's PMT PID (program number 0 is the network PID, not a program). */
function programMapPid(pat: Buffer): number | undefined {
  const length = ((pat[1] & 0x0f) << 8) | pat[2];
  // Programs from byte 8 to the CRC.
  for (let i = 8; i + 4 <= Math.min(pat.length, 3 + length - 4); i += 4) {
    if (((pat[i] << 8) | pat[i + 1]) !== 0) return ((pat[i + 2] & 0x1f) << 8) | pat[i + 3];
  }
  return undefined;
}

/** PMT: each elementary stream's type and PID, in table order. */
function elementaryStreams(pmt: Buffer): ElementaryStream[] {
  const length = ((pmt[1] & 0x0f) << 8) | pmt[2];
  const end = Math.min(pmt.length, 3 + length - 4);
  const streams: ElementaryStream[] = [];
  for (let i = 12 + (((pmt[10] & 0x0f) << 8) | pmt[11]); i + 5 <= end;) {
    streams.push({ streamType: pmt[i], pid: ((pmt[i + 1] & 0x1f) << 8) | pmt[i + 2] });
    i += 5 + (((pmt[i + 3] & 0x0f) << 8) | pmt[i + 4]);
  }
  return streams;
}

/** The elementary-stream bytes after a PES header (the bytes as they are when they are not a PES start). */
export function pesPayload(pes: Buffer): Buffer {
  if (pes.length < 9 || pes[0] !== 0 || pes[1] !== 0 || pes[2] !== 1) return pes;
  return pes.subarray(Math.min(pes.length, 9 + pes[8]));
}

/**
 * The first SPS NAL unit (header byte included, no trailing zero) in H.264 Annex B bytes. It
 * is taken only once the next start code is in (else the unit may be cut short), unless
 * `complete`: the bytes are a whole access unit or the end of the stream, so it runs to the end.
 */
export function firstSpsUnit(es: Buffer, complete: boolean): Buffer | undefined {
  for (let i = 0; i + 6 < es.length; i++) {
    if (es[i] === 0 && es[i + 1] === 0 && es[i + 2] === 1 && (es[i + 3] & 0x9f) === 0x07) {
      const start = i + 3;
      for (let j = start + 4; j + 2 < es.length; j++) {
        if (es[j] === 0 && es[j + 1] === 0 && (es[j + 2] === 1 || (es[j + 2] === 0 && es[j + 3] === 1))) return es.subarray(start, j);
      }
      if (!complete) return undefined;
      let end = es.length;
      while (end > start && es[end - 1] === 0) end--;
      return es.subarray(start, end);
    }
  }
  return undefined;
}

/**
 * Why bytes are not the start of an MPEG-TS segment a player can use (undefined when they
 * are): nothing at all, no sync byte, no PAT, no PMT, or a program without any stream. Reads
 * no further than the PMT, so a segment's head is enough.
 */
export function transportStreamProblem(head: Buffer): string | undefined {
  if (head.length === 0) return 'empty';
  let streams: ElementaryStream[] | undefined;
  let pmtPid: number | undefined;
  try {
    ({ pmtPid, streams } = walkProgram(
      head,
      () => true,
      () => true,
    ));
  } catch (err) {
    if (err instanceof TsStructureError) return err.message;
    throw err;
  }
  if (head.length < TS_PACKET_SIZE) return `${head.length} bytes is less than one 188-byte transport packet`;
  if (pmtPid === undefined) return 'not MPEG-TS: no program association table';
  if (!streams) return 'not MPEG-TS: no program map table';
  if (streams.length === 0) return 'its program has no stream';
  return undefined;
}
