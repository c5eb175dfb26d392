import { fallbackPeriods } from './fallback-periods';

describe('fallbackPeriods', () => {
  it('groups consecutive locally transcoded seqs and starts a new period after a seq a broadcaster took', () => {
    const row = (seq: number) => ({ seq, ingestedAt: 1000 * seq, uploadedAt: 1000 * seq + 500 });
    expect(fallbackPeriods([row(3), row(4), row(5), row(9), row(10)])).toEqual([
      { fromSeq: 3, toSeq: 5, segments: 3, from: 3000, to: 5500 },
      { fromSeq: 9, toSeq: 10, segments: 2, from: 9000, to: 10_500 },
    ]);
    expect(fallbackPeriods([])).toEqual([]);
  });
});
