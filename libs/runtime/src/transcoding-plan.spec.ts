import { describe, expect, it } from 'vitest';
import { transcodingPlan } from './transcoding-plan';

describe('transcodingPlan', () => {
  it('runs livepeer-local when no API is configured, and nothing local for an outside API', () => {
    expect(transcodingPlan({})).toEqual({ kind: 'local' });
    expect(transcodingPlan({ LIVEPEER_API_URL: 'https://livepeer.example/api' })).toEqual({ kind: 'outside' });
  });

  it("runs only the broadcasters, with the outside API's hook, in broadcasters mode", () => {
    expect(transcodingPlan({ LIVEPEER_API_URL: 'https://livepeer.example/api/', LIVEPEER_LOCAL_MODE: 'broadcasters' })).toEqual({
      kind: 'broadcasters',
      hookUrl: 'https://livepeer.example/api/stream/hook',
    });
    expect(
      transcodingPlan({
        LIVEPEER_API_URL: 'https://a/api',
        LIVEPEER_LOCAL_MODE: 'broadcasters',
        LIVEPEER_LOCAL_HOOK_URL: 'https://hooks/auth',
      }),
    ).toEqual({ kind: 'broadcasters', hookUrl: 'https://hooks/auth' });
  });

  it('refuses broadcasters mode without an outside API', () => {
    expect(() => transcodingPlan({ LIVEPEER_LOCAL_MODE: 'broadcasters' })).toThrow(/needs LIVEPEER_API_URL/);
  });
});
