import { TsMuxer } from './ts-muxer';
import { TsStructureError, firstSpsUnit, transportStreamProblem, walkPackets, walkProgram } from './ts-program';

const SPS = [0x67, 0x42, 0xc0, 0x1e, 0xda, 0x02, 0x80];

describe('reading a transport stream program', () => {
  it('takes an SPS unit only once the next start code is in, unless the bytes are complete', () => {
    const unit = Buffer.from([0, 0, 0, 1, ...SPS, 0, 0, 0, 1, 0x68, 0xce]);
    expect([...firstSpsUnit(unit, false)!]).toEqual(SPS);
    const cut = Buffer.from([0, 0, 1, ...SPS, 0, 0]);
    expect(firstSpsUnit(cut, false)).toBeUndefined();
    expect([...firstSpsUnit(cut, true)!]).toEqual(SPS); // the trailing zeros are the next start code's
    expect(firstSpsUnit(Buffer.from([0, 0, 1, 0x68, 0xce, 0x3c, 0x80, 0, 0]), true)).toBeUndefined();
  });

  it("finds the program's streams through the PAT and PMT, then hands over their packets until told to stop", () => {
    const muxer = new TsMuxer({ video: 'h264', audio: 'aac' });
    const ts = Buffer.concat([
      muxer.tables(),
      muxer.video(Buffer.from([0, 0, 0, 1, ...SPS, 0, 0, 0, 1, 0x65, 0x88]), 0, 0, true),
      muxer.video(Buffer.from([0, 0, 0, 1, 0x41, 0x9a]), 3000, 3000, false),
    ]);
    const seen: number[] = [];
    const found = walkProgram(
      ts,
      (_packet, stream) => {
        seen.push(stream.streamType);
        return seen.length === 1;
      },
      (streams) => expect(streams.map((s) => s.streamType)).toContain(0x1b),
    );
    expect(found.pmtPid).toBeDefined();
    expect(seen).toEqual([0x1b]);
  });

  it('says why bytes are not the start of a usable segment, and nothing for a real one', () => {
    const muxer = new TsMuxer({ video: 'h264' });
    const real = Buffer.concat([muxer.tables(), muxer.video(Buffer.from([0, 0, 0, 1, 0x65, 0x88]), 0, 0, true)]);
    expect(transportStreamProblem(real)).toBeUndefined();
    expect(transportStreamProblem(real.subarray(0, 1000))).toBeUndefined(); // a head read cut mid-packet
    expect(transportStreamProblem(Buffer.alloc(0))).toBe('empty');
    expect(transportStreamProblem(Buffer.from('<html>bad gateway</html>'.repeat(10)))).toBe('not MPEG-TS: no sync byte at byte 0');
    expect(transportStreamProblem(real.subarray(0, 100))).toBe('100 bytes is less than one 188-byte transport packet');
    expect(transportStreamProblem(real.subarray(188))).toBe('not MPEG-TS: no program association table');
  });

  it('ignores a trailing partial packet and refuses lost sync with its offset', () => {
    const packet = Buffer.alloc(188, 0xff);
    packet[0] = 0x47;
    packet[3] = 0x10;
    let visited = 0;
    walkPackets(Buffer.concat([packet, packet.subarray(0, 100)]), () => void visited++);
    expect(visited).toBe(1);
    const lost = Buffer.concat([packet, Buffer.alloc(188, 0)]);
    expect(() => walkPackets(lost, () => undefined)).toThrow(new TsStructureError('not MPEG-TS: no sync byte at byte 188'));
  });
});
