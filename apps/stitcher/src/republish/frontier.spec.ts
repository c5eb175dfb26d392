import { decide, deadlineOf, type Availability, type FrontierTiming } from './frontier';

const ready: Availability = { state: 'ready' };
const absent: Availability = { state: 'absent' };
const failed: Availability = { state: 'failed', error: 'HTTP 500' };
const timing = (now: number): FrontierTiming => ({ now, deadlineFactor: 6, targetDurationMs: 4000 });
const ledger = (state: 'uploaded' | 'dropped' = 'uploaded') => ({ state, ingestedAt: 10_000, durationMs: 2000 });

describe('frontier decision', () => {
  it('lists a segment every variant has', () => {
    expect(decide({ seq: 3, ledger: ledger(), variants: { '240p': ready, source: ready } }, timing(11_000))).toEqual({ action: 'list' });
  });

  it('waits for a missing rendition until deadlineFactor x duration after ingest', () => {
    const facts = { seq: 3, ledger: ledger(), variants: { '240p': absent, source: ready } };
    expect(decide(facts, timing(21_999))).toEqual({ action: 'wait', until: 22_000 });
    expect(decide(facts, timing(22_000))).toMatchObject({
      action: 'skip',
      why: 'deadline',
      reasons: { '240p': 'not-in-playlist', source: 'not-in-playlist' },
    });
  });

  it('names fetch-failed for a rendition that was listed upstream but could not be downloaded', () => {
    const decision = decide({ seq: 3, ledger: ledger(), variants: { '240p': failed, '360p': absent, source: ready } }, timing(99_000));
    expect(decision).toMatchObject({ action: 'skip', reasons: { '240p': 'fetch-failed', '360p': 'not-in-playlist', source: 'fetch-failed' } });
  });

  it('does not wait for a segment the worker dropped', () => {
    const decision = decide({ seq: 3, ledger: ledger('dropped'), variants: { '240p': absent, source: ready } }, timing(10_001));
    expect(decision).toMatchObject({ action: 'skip', why: 'dropped-upstream' });
  });

  it('lists a segment the worker dropped if every variant arrived anyway', () => {
    expect(decide({ seq: 3, ledger: ledger('dropped'), variants: { '240p': ready, source: ready } }, timing(10_001)).action).toBe('list');
  });

  it('counts the deadline of a hole (no ledger row) from when a later segment was known', () => {
    expect(deadlineOf({ laterKnownSince: 50_000 }, timing(0))).toBe(50_000 + 6 * 4000);
    expect(decide({ seq: 7, laterKnownSince: 50_000, variants: { source: absent } }, timing(60_000)).action).toBe('wait');
    expect(decide({ seq: 7, laterKnownSince: 50_000, variants: { source: absent } }, timing(74_000)).action).toBe('skip');
  });
});
