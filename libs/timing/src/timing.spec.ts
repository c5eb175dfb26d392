import { TimeoutError, sleep, withTimeout } from './index';

describe('sleep and withTimeout', () => {
  it('sleep ends early when aborted', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const pending = sleep(10_000, controller.signal);
    controller.abort();
    expect(await pending).toBe(false);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('withTimeout rejects slow work with its name', async () => {
    await expect(withTimeout(new Promise(() => undefined), 20, 'S3 put')).rejects.toThrow('S3 put timed out after 20 ms');
    await expect(withTimeout(new Promise(() => undefined), 20, 'S3 put')).rejects.toBeInstanceOf(TimeoutError);
    await expect(withTimeout(Promise.resolve(7), 20, 'x')).resolves.toBe(7);
  });

  it('withTimeout hands a result that arrives too late to onLate, and only then', async () => {
    const late: string[] = [];
    let finish!: (v: string) => void;
    const work = new Promise<string>((resolve) => (finish = resolve));
    await expect(withTimeout(work, 10, 'open', { onLate: (v) => late.push(v) })).rejects.toThrow('open timed out after 10 ms');
    finish('stream');
    await work;
    expect(late).toEqual(['stream']);

    const onTime: string[] = [];
    await withTimeout(Promise.resolve('x'), 1000, 'open', { onLate: (v) => onTime.push(v) });
    await Promise.resolve();
    expect(onTime).toEqual([]);
  });
});
