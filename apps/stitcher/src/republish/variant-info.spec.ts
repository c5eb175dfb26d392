import { raisedBandwidth, segmentBitsPerSecond } from './variant-info';

describe('advertised bandwidth', () => {
  it('is the segment bit rate plus headroom, in whole kbit/s', () => {
    expect(segmentBitsPerSecond(250_000, 2000)).toBe(1_000_000);
    expect(raisedBandwidth(undefined, 250_000, 2000)).toBe(1_100_000);
  });

  it('only moves when a segment goes above it', () => {
    expect(raisedBandwidth(1_100_000, 270_000, 2000)).toBe(1_100_000);
    expect(raisedBandwidth(1_100_000, 300_000, 2000)).toBe(1_320_000);
  });
});
