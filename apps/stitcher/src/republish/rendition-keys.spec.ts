import { renditionKeysFor } from './rendition-keys';
import { pollIntervalOf } from './session-republisher';

describe('rendition keys of a seq', () => {
  it('maps the answer onto the variants, ignoring (and reporting) names the session does not republish', () => {
    const unknown: string[] = [];
    const keys = renditionKeysFor(['low', 'high', 'source'], { low: 'k/low', mid: 'k/mid' }, (n) => unknown.push(n));
    expect([...keys]).toEqual([['low', 'k/low']]);
    expect(unknown).toEqual(['mid']);
  });

  it('has no key on the playlist path', () => {
    expect(renditionKeysFor(['low'], null, () => undefined).size).toBe(0);
    expect(renditionKeysFor(['low'], undefined, () => undefined).size).toBe(0);
  });
});

describe('effective poll interval', () => {
  it('is POLL_INTERVAL_MS, at most a quarter of the target duration', () => {
    expect(pollIntervalOf(500, 2)).toBe(500);
    expect(pollIntervalOf(1000, 2)).toBe(500);
    expect(pollIntervalOf(200, 2)).toBe(200);
    expect(pollIntervalOf(2000, 4)).toBe(1000);
  });
});
