import fc from 'fast-check';
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
    expect(decision).toMatchObject({
      action: 'skip',
      reasons: { '240p': 'fetch-failed', '360p': 'not-in-playlist', source: 'fetch-failed' },
    });
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

describe('frontier stall avoidance', () => {
  const listedAt = 12_000;
  const stallTiming = (now: number): FrontierTiming => ({ ...timing(now), lastListedAt: listedAt });

  it('skips a missing seq once a later one is ready and a target duration passed since the last listing', () => {
    const facts = { seq: 3, ledger: ledger(), laterReady: true, variants: { '240p': absent, source: ready } };
    expect(decide(facts, stallTiming(listedAt + 3999))).toEqual({ action: 'wait', until: listedAt + 4000 });
    expect(decide(facts, stallTiming(listedAt + 4000))).toMatchObject({
      action: 'skip',
      why: 'stall',
      reasons: { '240p': 'not-in-playlist', source: 'not-in-playlist' },
    });
    expect(decide({ ...facts, variants: { '240p': failed, source: ready } }, stallTiming(listedAt + 4000))).toMatchObject({
      why: 'stall',
      reasons: { '240p': 'fetch-failed' },
    });
  });

  it('waits the full deadline while no later seq is ready', () => {
    const facts = { seq: 3, ledger: ledger(), laterReady: false, variants: { '240p': absent, source: ready } };
    expect(decide(facts, stallTiming(21_999))).toEqual({ action: 'wait', until: 22_000 });
  });

  it('pushes an uploaded seq again once when later seqs are listed upstream and it is not', () => {
    const facts = { seq: 3, ledger: ledger(), laterSeen: true, variants: { '240p': absent, source: ready } };
    expect(decide(facts, timing(12_000))).toEqual({ action: 'repush', until: 22_000 });
    expect(decide({ ...facts, repushed: true }, timing(12_000))).toEqual({ action: 'wait', until: 22_000 });
    // Listed upstream, only its download is pending or failed: it is coming.
    expect(decide({ ...facts, variants: { '240p': failed, source: ready } }, timing(12_000)).action).toBe('wait');
    expect(decide({ ...facts, variants: { '240p': { state: 'coming' }, source: ready } }, timing(12_000)).action).toBe('wait');
    // Not uploaded yet: the worker still has it.
    expect(decide({ ...facts, ledger: { ...ledger(), state: 'queued' as const } }, timing(12_000)).action).toBe('wait');
  });

  it('pushes an uploaded seq again at once when the broadcaster listing it cannot be reached (died after transcoding it)', () => {
    const gone = { state: 'failed' as const, error: 'GET http://b1/... ECONNREFUSED', unreachable: true };
    const facts = { seq: 3, ledger: ledger(), variants: { '240p': gone, source: ready } };
    // No later seq needed: the host itself says it will not come from there.
    expect(decide(facts, timing(12_000))).toEqual({ action: 'repush', until: 22_000 });
    expect(decide({ ...facts, repushed: true }, timing(12_000))).toEqual({ action: 'wait', until: 22_000 });
    expect(decide({ ...facts, ledger: { ...ledger(), state: 'queued' as const } }, timing(12_000)).action).toBe('wait');
  });

  it('skips at once a seq that is not coming when a push again could not make the deadline', () => {
    const facts = { seq: 3, ledger: ledger(), laterSeen: true, variants: { '240p': absent, source: ready } };
    expect(decide(facts, timing(20_001))).toMatchObject({ action: 'skip', why: 'not-coming' });
  });

  it('never waits past a target duration after the last listing while a later seq is ready (property)', () => {
    const availability = fc.constantFrom<Availability>(ready, absent, failed, { state: 'coming' });
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom('240p', '360p', '720p', 'source'), availability, { minKeys: 1 }),
        fc.constantFrom('ingested', 'queued', 'uploaded', 'dropped') as fc.Arbitrary<'uploaded' | 'dropped'>,
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 0, max: 30_000 }),
        fc.integer({ min: 0, max: 30_000 }),
        (variants, state, laterReady, laterSeen, repushed, listed, elapsed) => {
          const t: FrontierTiming = { ...timing(10_000 + listed + elapsed), lastListedAt: 10_000 + listed };
          const decision = decide({ seq: 3, ledger: { ...ledger(), state }, variants, laterReady, laterSeen, repushed }, t);
          const allReady = Object.values(variants).every((v) => v.state === 'ready');
          expect(decision.action === 'list').toBe(allReady);
          if (decision.action === 'wait' || decision.action === 'repush') {
            expect(decision.until).toBeGreaterThan(t.now);
            expect(decision.until).toBeLessThanOrEqual(deadlineOf({ ledger: ledger() }, t));
            if (laterReady) expect(decision.until).toBeLessThanOrEqual(t.lastListedAt! + t.targetDurationMs);
          }
          if (decision.action === 'repush') expect(repushed).toBe(false);
          if (decision.action === 'skip') expect(Object.keys(decision.reasons).sort()).toEqual(Object.keys(variants).sort());
        },
      ),
    );
  });
});
