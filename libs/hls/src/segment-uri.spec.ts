import { segmentSequenceNumber } from './segment-uri';

describe('segmentSequenceNumber', () => {
  it.each([
    ['/stream/abc/P144p30fps16x9/533.ts', 533],
    ['http://b/stream/abc/source/0.ts?token=1#x', 0],
    ['12abc.ts', 12],
    ['/stream/abc/seg533.ts', undefined],
    ['/stream/533/', undefined],
    ['-5.ts', undefined],
  ])('%s -> %s', (uri, seq) => {
    expect(segmentSequenceNumber(uri)).toBe(seq);
  });
});
