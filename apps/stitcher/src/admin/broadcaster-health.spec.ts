import { describe, expect, it } from 'vitest';
import { broadcasterHealth } from './broadcasters.service';

describe('broadcasterHealth', () => {
  it('is failing whatever the API list says, until the workers clear it', () => {
    expect(broadcasterHealth({ listed: true, failing: true, coolingDownMs: 0 })).toBe('failing');
    expect(broadcasterHealth({ listed: false, failing: true, coolingDownMs: 5000 })).toBe('failing');
  });

  it('is unlisted, cooling down or healthy otherwise', () => {
    expect(broadcasterHealth({ listed: false, failing: false, coolingDownMs: 0 })).toBe('unlisted');
    expect(broadcasterHealth({ listed: true, failing: false, coolingDownMs: 1 })).toBe('cooling-down');
    expect(broadcasterHealth({ listed: true, failing: false, coolingDownMs: 0 })).toBe('healthy');
  });
});
