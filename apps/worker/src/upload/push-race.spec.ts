import { type InFlightPush, firstSuccess, settledWithin } from './push-race';

function push(by: string): InFlightPush<string, { ok: boolean; by: string }> & { settle(ok: boolean): void; aborted: boolean } {
  let settle!: (ok: boolean) => void;
  const outcome = new Promise<{ ok: boolean; by: string }>((resolve) => (settle = (ok) => resolve({ ok, by })));
  const p = {
    by,
    outcome,
    aborted: false,
    startedAt: 0,
    abort: () => (p.aborted = true),
    settle: (ok: boolean) => settle(ok),
  };
  return p;
}

describe('push race', () => {
  it('gives the outcome that comes within the delay, and undefined for one that does not (it goes on)', async () => {
    expect(await settledWithin(Promise.resolve('answer'), 1000)).toBe('answer');
    const late = push('a');
    expect(await settledWithin(late.outcome, 5)).toBeUndefined();
    late.settle(true);
    expect(await late.outcome).toEqual({ ok: true, by: 'a' });
    // No delay: no hedge, the outcome whenever it comes.
    const unhedged = push('b');
    const waited = settledWithin(unhedged.outcome, undefined);
    unhedged.settle(false);
    expect(await waited).toEqual({ ok: false, by: 'b' });
  });

  it('takes the first success, even when the other push failed first', async () => {
    const [a, b] = [push('a'), push('b')];
    const race = firstSuccess([a, b], (o) => o.ok);
    a.settle(false);
    await Promise.resolve();
    b.settle(true);
    const { winner, outcome, loser } = await race;
    expect([winner.by, outcome.ok, loser.by]).toEqual(['b', true, 'a']);
  });

  it('when the hedge answers first the late push is the loser; when both fail, the last failure is reported', async () => {
    const [a, b] = [push('a'), push('b')];
    const race = firstSuccess([a, b], (o) => o.ok);
    b.settle(true);
    expect((await race).loser.by).toBe('a');

    const [c, d] = [push('c'), push('d')];
    const both = firstSuccess([c, d], (o) => o.ok);
    d.settle(false);
    await Promise.resolve();
    c.settle(false);
    const failed = await both;
    expect([failed.winner.by, failed.outcome.ok, failed.loser.by]).toEqual(['c', false, 'd']);
  });
});
