import { LivepeerGate } from './livepeer-gate';

describe('LivepeerGate', () => {
  it('lets waiting segments through once the stream exists', async () => {
    const gate = new LivepeerGate();
    const waiting = gate.wait(Date.now() + 5000);
    gate.open('lp-1');
    expect(await waiting).toEqual({ ready: true, livepeerStreamId: 'lp-1' });
    expect(await gate.wait(0)).toEqual({ ready: true, livepeerStreamId: 'lp-1' });
    expect(gate.livepeerStreamId).toBe('lp-1');
  });

  it('refuses a segment whose deadline passes first', async () => {
    const gate = new LivepeerGate();
    const outcome = await gate.wait(Date.now() + 30);
    expect(outcome).toEqual({ ready: false, reason: 'the Livepeer stream did not exist before the live deadline' });
    gate.open('late');
    expect(await gate.wait(Date.now() + 30)).toEqual({ ready: true, livepeerStreamId: 'late' });
  });

  it('refuses every waiting segment when closed, and keeps its first outcome', async () => {
    const gate = new LivepeerGate();
    const a = gate.wait(Date.now() + 5000);
    const b = gate.wait(Date.now() + 5000);
    gate.close('Livepeer rejected the stream');
    gate.open('too-late');
    expect(await a).toEqual({ ready: false, reason: 'Livepeer rejected the stream' });
    expect(await b).toEqual({ ready: false, reason: 'Livepeer rejected the stream' });
    expect(gate.livepeerStreamId).toBeUndefined();
  });
});
