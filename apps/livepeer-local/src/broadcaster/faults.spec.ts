import { FaultSpecError, NO_FAULTS, parseFaultSpec, takeFault, updateFaults } from './faults';

describe('broadcaster faults', () => {
  it('parses the start option syntax into the same update the admin endpoint takes', () => {
    const faults = updateFaults(NO_FAULTS, parseFaultSpec('failNext=2, failStatus=503,delayMs=150,unhealthy=true'));
    expect(faults).toMatchObject({ failNext: 2, failStatus: 503, delayMs: 150, unhealthy: true });
  });

  it('rejects typos and bad values', () => {
    expect(() => updateFaults(NO_FAULTS, { failnext: 1 })).toThrow(FaultSpecError);
    expect(() => updateFaults(NO_FAULTS, { failStatus: 200 })).toThrow(/400..599/);
    expect(() => updateFaults(NO_FAULTS, { hangNext: -2 })).toThrow(/>= -1/);
    expect(() => parseFaultSpec('hang')).toThrow(/key=value/);
    expect(() => updateFaults(NO_FAULTS, { noParts: 'yes' })).toThrow(/noParts must be true or false/);
  });

  it('takes the no-parts answer as a lasting setting, as the start option or the endpoint gives it', () => {
    expect(updateFaults(NO_FAULTS, parseFaultSpec('noParts=true')).noParts).toBe(true);
    expect(updateFaults({ ...NO_FAULTS, noParts: true }, { noParts: false }).noParts).toBe(false);
  });

  it('consumes counted faults one push at a time, reset before hang before fail', () => {
    let faults = updateFaults(NO_FAULTS, { failNext: 1, failStatus: 503, hangNext: 1, resetNext: 1 });
    const actions: string[] = [];
    for (let i = 0; i < 4; i++) {
      const taken = takeFault(faults);
      actions.push(taken.action.kind === 'fail' ? `fail:${taken.action.status}` : taken.action.kind);
      faults = taken.faults;
    }
    expect(actions).toEqual(['reset', 'hang', 'fail:503', 'none']);
  });

  it('keeps -1 faults until cleared', () => {
    let faults = updateFaults(NO_FAULTS, { failNext: -1 });
    for (let i = 0; i < 3; i++) {
      const taken = takeFault(faults);
      expect(taken.action.kind).toBe('fail');
      faults = taken.faults;
    }
    expect(faults.failNext).toBe(-1);
  });
});

describe('start-time fault options', () => {
  it('applies LIVEPEER_LOCAL_FAULTS, then --faults from the command line', async () => {
    const { startFaultSpec } = await import('./faults.service');
    const spec = startFaultSpec(['node', 'main.js', '--faults', 'failStatus=502,unhealthy=true'], 'failNext=1,failStatus=503');
    expect(updateFaults(NO_FAULTS, parseFaultSpec(spec))).toMatchObject({ failNext: 1, failStatus: 502, unhealthy: true });
    expect(startFaultSpec(['--faults=delayMs=5'], '')).toBe('delayMs=5');
    expect(startFaultSpec([], '')).toBe('');
  });
});
