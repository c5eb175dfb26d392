import fc from 'fast-check';
import { AAC_SAMPLES_PER_FRAME, adtsFrame, parseAudioSpecificConfig } from './aac';
import { avccToAnnexB, parseAvcDecoderConfig } from './avc';
import { crc32Mpeg2 } from './crc32';
import { PES_STREAM_ID_AUDIO, PES_STREAM_ID_VIDEO, TIMESTAMP_MODULO, msToTicks, pesHeader, readTimestamp, writeTimestamp } from './pes';
import { TsMuxer } from './ts-muxer';
import { ContinuityCounters, PID_AUDIO, PID_PAT, PID_PMT, PID_VIDEO, TS_PACKET_SIZE, packetize, patPacket, pmtPacket } from './ts-packets';
import { continuityErrors, pesPackets, readTsPackets } from './ts-reader';

const timestamp = fc.integer({ min: 0, max: TIMESTAMP_MODULO - 1 });

describe('PES timestamps', () => {
  it('round-trip every 33-bit value with the marker bits set', () => {
    fc.assert(
      fc.property(timestamp, fc.constantFrom(0b0010, 0b0011, 0b0001), (ticks, prefix) => {
        const bytes = Buffer.alloc(5);
        writeTimestamp(bytes, 0, prefix, ticks);
        expect(readTimestamp(bytes, 0)).toBe(ticks);
        expect(bytes[0] >> 4).toBe(prefix);
        expect([bytes[0] & 1, bytes[2] & 1, bytes[4] & 1]).toEqual([1, 1, 1]);
      }),
    );
  });

  it('converts FLV milliseconds to 90 kHz ticks, wrapping at 33 bits', () => {
    expect(msToTicks(0)).toBe(0);
    expect(msToTicks(1000)).toBe(90_000);
    expect(msToTicks(2 ** 32 - 1)).toBe(((2 ** 32 - 1) * 90) % TIMESTAMP_MODULO);
  });
});

describe('pesHeader', () => {
  it('counts the bytes after the length field, and writes a DTS only when it differs', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60_000 }), timestamp, timestamp, (length, pts, dts) => {
        const header = pesHeader(PES_STREAM_ID_VIDEO, length, { pts, dts });
        expect([...header.subarray(0, 4)]).toEqual([0, 0, 1, PES_STREAM_ID_VIDEO]);
        expect(header.readUInt16BE(4)).toBe(header.length - 6 + length);
        expect(header[8]).toBe(header.length - 9);
        expect(readTimestamp(header, 9)).toBe(pts);
        if (pts === dts) expect(header.length).toBe(14);
        else expect(readTimestamp(header, 14)).toBe(dts);
      }),
    );
  });

  it('says 0 (unbounded) for a video PES over 64 KiB and refuses such an audio frame', () => {
    expect(pesHeader(PES_STREAM_ID_VIDEO, 70_000, { pts: 1, dts: 0 }).readUInt16BE(4)).toBe(0);
    expect(() => pesHeader(PES_STREAM_ID_AUDIO, 70_000, { pts: 1 })).toThrow(/does not fit/);
  });
});

describe('packetize', () => {
  it('writes whole 188-byte packets that carry the payload exactly, counters running on per PID', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            length: fc.integer({ min: 1, max: 2000 }),
            pcr: fc.option(timestamp, { nil: undefined }),
            randomAccess: fc.boolean(),
            pid: fc.constantFrom(PID_VIDEO, PID_AUDIO),
          }),
          { minLength: 1, maxLength: 12 },
        ),
        (units) => {
          const counters = new ContinuityCounters();
          const all: ReturnType<typeof readTsPackets> = [];
          for (const unit of units) {
            const payload = Buffer.from(Array.from({ length: unit.length }, (_, i) => (i * 7 + unit.length) & 0xff));
            const out = packetize(unit.pid, payload, counters, { pcr: unit.pcr, randomAccess: unit.randomAccess });
            expect(out.length % TS_PACKET_SIZE).toBe(0);
            const packets = readTsPackets(out);
            expect(packets.every((p) => p.pid === unit.pid)).toBe(true);
            expect(packets.map((p) => p.payloadUnitStart)).toEqual(packets.map((_, i) => i === 0));
            expect(packets[0].pcr).toBe(unit.pcr);
            expect(packets.slice(1).every((p) => p.pcr === undefined && !p.randomAccess)).toBe(true);
            expect(packets[0].randomAccess).toBe(unit.randomAccess);
            expect(Buffer.concat(packets.map((p) => p.payload)).equals(payload)).toBe(true);
            // No more packets than needed: only the last one may be short of payload.
            expect(packets.slice(0, -1).every((p, i) => p.payload.length === (i === 0 ? 184 - firstFields(unit) : 184))).toBe(true);
            all.push(...packets);
          }
          expect(continuityErrors(all)).toEqual([]);
        },
      ),
    );
  });

  it('refuses an empty payload', () => {
    expect(() => packetize(PID_VIDEO, Buffer.alloc(0), new ContinuityCounters())).toThrow(/nothing to packetize/);
  });

  it('stuffs a one-byte gap with an empty adaptation field', () => {
    const [packet] = readTsPackets(packetize(PID_VIDEO, Buffer.alloc(183, 1), new ContinuityCounters()));
    expect(packet.payload.length).toBe(183);
  });
});

function firstFields(unit: { pcr?: number; randomAccess: boolean }): number {
  return unit.pcr !== undefined || unit.randomAccess ? 2 + (unit.pcr !== undefined ? 6 : 0) : 0;
}

describe('PAT and PMT', () => {
  it('carry valid CRCs, program 1 at the PMT PID and the elementary streams', () => {
    const counters = new ContinuityCounters();
    const [pat] = readTsPackets(patPacket(counters));
    const [pmt] = readTsPackets(
      pmtPacket(
        PID_VIDEO,
        [
          { pid: PID_VIDEO, streamType: 0x1b },
          { pid: PID_AUDIO, streamType: 0x0f },
        ],
        counters,
      ),
    );
    expect([pat.pid, pmt.pid]).toEqual([PID_PAT, PID_PMT]);
    for (const { payload } of [pat, pmt]) {
      const sectionLength = payload.readUInt16BE(2) & 0x0fff;
      const section = payload.subarray(1, 4 + sectionLength);
      expect(crc32Mpeg2(section)).toBe(0); // a section followed by its own CRC sums to zero
      expect(payload.subarray(4 + sectionLength).every((b) => b === 0xff)).toBe(true);
    }
    expect(pat.payload.readUInt16BE(11) & 0x1fff).toBe(PID_PMT);
    expect(pmt.payload.readUInt16BE(9) & 0x1fff).toBe(PID_VIDEO); // PCR PID
    expect([pmt.payload[13], pmt.payload.readUInt16BE(14) & 0x1fff, pmt.payload[18], pmt.payload.readUInt16BE(19) & 0x1fff]).toEqual([
      0x1b,
      PID_VIDEO,
      0x0f,
      PID_AUDIO,
    ]);
  });

  it('computes the CRC-32/MPEG-2 check value', () => {
    expect(crc32Mpeg2(Buffer.from('123456789'))).toBe(0x0376e6e7);
  });
});

/** A configuration record with one SPS and one PPS and 4-byte NAL lengths. */
const SPS = Buffer.from([0x67, 0x42, 0xc0, 0x1e, 0xda]);
const PPS = Buffer.from([0x68, 0xce, 0x3c, 0x80]);
const RECORD = Buffer.concat([
  Buffer.from([1, 0x42, 0xc0, 0x1e, 0xff, 0xe1]),
  Buffer.from([0, SPS.length]),
  SPS,
  Buffer.from([1, 0, PPS.length]),
  PPS,
]);

function avcc(...units: Buffer[]): Buffer {
  return Buffer.concat(units.flatMap((u) => [Buffer.from([0, 0, (u.length >> 8) & 0xff, u.length & 0xff]), u]));
}

describe('H.264 AVCC to annex B', () => {
  const config = parseAvcDecoderConfig(RECORD);
  const idr = Buffer.from([0x65, 0x88, 0x84, 0x00]);
  const slice = Buffer.from([0x41, 0x9a, 0x02]);

  it('reads the configuration record', () => {
    expect(config.lengthSize).toBe(4);
    expect(config.sps).toEqual([SPS]);
    expect(config.pps).toEqual([PPS]);
  });

  it('puts an AUD first and the SPS/PPS before a keyframe only', () => {
    const key = avccToAnnexB(avcc(idr), config, true);
    expect(
      key.equals(
        Buffer.concat([
          Buffer.from([0, 0, 0, 1, 9, 0xf0, 0, 0, 0, 1]),
          SPS,
          Buffer.from([0, 0, 0, 1]),
          PPS,
          Buffer.from([0, 0, 0, 1]),
          idr,
        ]),
      ),
    ).toBe(true);
    const inter = avccToAnnexB(avcc(Buffer.from([9, 0x10]), slice), config, false);
    expect(inter.equals(Buffer.concat([Buffer.from([0, 0, 0, 1, 9, 0xf0, 0, 0, 0, 1]), slice]))).toBe(true);
  });

  it("keeps a keyframe's own SPS/PPS instead of adding the configuration's", () => {
    const own = avccToAnnexB(avcc(SPS, PPS, idr), config, true);
    expect(own.length).toBe(6 + 3 * 4 + SPS.length + PPS.length + idr.length);
  });

  it('refuses a NAL length that runs past the frame, and a record that is not one', () => {
    expect(() => avccToAnnexB(Buffer.from([0, 0, 0, 9, 0x65]), config, true)).toThrow(/runs past the end/);
    expect(() => parseAvcDecoderConfig(Buffer.from([0, 1, 2]))).toThrow(/not an AVCDecoderConfigurationRecord/);
    expect(() => parseAvcDecoderConfig(RECORD.subarray(0, 9))).toThrow(/ends inside/);
  });
});

describe('AAC to ADTS', () => {
  it('reads AAC LC 44.1 kHz stereo and writes its ADTS header', () => {
    const config = parseAudioSpecificConfig(Buffer.from([0x12, 0x10]));
    expect(config).toEqual({ objectType: 2, samplingFrequencyIndex: 4, sampleRate: 44100, channelConfiguration: 2 });
    const frame = adtsFrame(Buffer.alloc(100, 0xaa), config);
    expect([...frame.subarray(0, 7)]).toEqual([0xff, 0xf1, 0x50, 0x80, 0x0d, 0x7f, 0xfc]);
    expect(((frame[3] & 0x03) << 11) | (frame[4] << 3) | (frame[5] >> 5)).toBe(107);
    expect(AAC_SAMPLES_PER_FRAME).toBe(1024);
  });

  it('carries HE-AAC as its AAC LC core', () => {
    // object type 5 (SBR), 24 kHz core (index 6), stereo, extension 48 kHz (index 3), core type 2
    expect(parseAudioSpecificConfig(Buffer.from([0x2b, 0x11, 0x8a, 0x00]))).toMatchObject({ objectType: 2, samplingFrequencyIndex: 6 });
  });

  it('refuses what ADTS cannot say', () => {
    expect(() => parseAudioSpecificConfig(Buffer.from([0x12]))).toThrow(/shorter/);
    expect(() => parseAudioSpecificConfig(Buffer.from([0x12, 0x00]))).toThrow(/channel configuration 0/);
    expect(() => parseAudioSpecificConfig(Buffer.from([0x17, 0x80, 0, 0, 0]))).toThrow(/explicit sample rate/);
  });
});

describe('TsMuxer', () => {
  it('writes PAT, PMT and timed PES packets that read back as written', () => {
    const muxer = new TsMuxer({ video: 'h264', audio: 'aac' });
    const frames = [Buffer.alloc(5000, 1), Buffer.alloc(300, 2)];
    const stream = Buffer.concat([
      muxer.tables(),
      muxer.video(frames[0], 9000, 6000, true),
      muxer.audio(frames[1], 9100),
      muxer.tables(),
      muxer.video(frames[0], 12000, 9000, false),
    ]);
    const packets = readTsPackets(stream);
    expect(continuityErrors(packets)).toEqual([]);
    expect(packets.slice(0, 2).map((p) => p.pid)).toEqual([PID_PAT, PID_PMT]);
    const video = pesPackets(packets, PID_VIDEO);
    expect(video.map((pes) => [readTimestamp(pes, 9), readTimestamp(pes, 14)])).toEqual([
      [9000, 6000],
      [12000, 9000],
    ]);
    expect(video[0].subarray(19).equals(frames[0])).toBe(true);
    const [audio] = pesPackets(packets, PID_AUDIO);
    expect(audio.readUInt16BE(4)).toBe(8 + 300);
    expect(readTimestamp(audio, 9)).toBe(9100);
    const pcrs = packets.filter((p) => p.pcr !== undefined);
    expect(pcrs.map((p) => [p.pid, p.pcr, p.randomAccess])).toEqual([
      [PID_VIDEO, 6000, true],
      [PID_VIDEO, 9000, false],
    ]);
  });

  it('carries the PCR on the audio PID without video, and needs a track', () => {
    const muxer = new TsMuxer({ audio: 'mp3' });
    const packets = readTsPackets(Buffer.concat([muxer.tables(), muxer.audio(Buffer.alloc(400), 1234)]));
    expect(packets.find((p) => p.pid === PID_AUDIO)?.pcr).toBe(1234);
    expect(() => new TsMuxer({})).toThrow(/needs a video or an audio track/);
    expect(() => muxer.video(Buffer.alloc(1), 0, 0, true)).toThrow(/no video track/);
  });
});
