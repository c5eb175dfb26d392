import { describe, expect, it } from 'vitest';
import {
  type AdmissionLimits,
  type BroadcasterLoad,
  backlogVerdict,
  broadcasterCapacity,
  capacityRefusal,
  sessionLimit,
  fullAnswer,
} from './admission-decision';

const limits: AdmissionLimits = { maxLiveSessions: 0, broadcasterMaxSessions: 10, maxUploadBacklog: 0 };
const b = (over: Partial<BroadcasterLoad>): BroadcasterLoad => ({ address: 'http://b1', assignedSessions: 0, full: false, ...over });

describe('broadcasterCapacity', () => {
  it('is the session limit it told, else the assumed one', () => {
    expect(broadcasterCapacity(b({ maxSessions: 3 }), 10)).toBe(3);
    expect(broadcasterCapacity(b({}), 10)).toBe(10);
  });

  it('loses the room taken by sessions that are not live relay sessions (expiring, other clients)', () => {
    expect(broadcasterCapacity(b({ maxSessions: 3, heldSessions: 3, assignedSessions: 1 }), 10)).toBe(1);
    expect(broadcasterCapacity(b({ maxSessions: 3, heldSessions: 5, assignedSessions: 0 }), 10)).toBe(0);
  });

  it('does not count assigned sessions the broadcaster has not created yet as foreign', () => {
    expect(broadcasterCapacity(b({ maxSessions: 3, heldSessions: 0, assignedSessions: 2 }), 10)).toBe(3);
  });

  it('carries only the sessions it has when it answered "Too many sessions"', () => {
    expect(broadcasterCapacity(b({ maxSessions: 10, heldSessions: 2, assignedSessions: 2, full: true }), 10)).toBe(2);
    expect(broadcasterCapacity(b({ full: true }), 10)).toBe(0);
  });
});

describe('sessionLimit', () => {
  it('is none when no limit applies (broadcasters unknown, no MAX_LIVE_SESSIONS)', () => {
    expect(sessionLimit({ broadcasters: null, uploadBacklog: null }, limits)).toBeNull();
  });

  it('sums the broadcasters and takes the smaller of that and MAX_LIVE_SESSIONS', () => {
    const broadcasters = [b({ maxSessions: 3 }), b({ address: 'http://b2', maxSessions: 3 })];
    expect(sessionLimit({ broadcasters, uploadBacklog: 0 }, limits)).toEqual({ limit: 6, by: 'no-broadcaster-capacity' });
    expect(sessionLimit({ broadcasters, uploadBacklog: 0 }, { ...limits, maxLiveSessions: 4 })).toEqual({
      limit: 4,
      by: 'max-live-sessions',
    });
    expect(sessionLimit({ broadcasters: null, uploadBacklog: 0 }, { ...limits, maxLiveSessions: 4 })).toEqual({
      limit: 4,
      by: 'max-live-sessions',
    });
  });

  it('is 0 with an empty broadcaster list: nothing can transcode', () => {
    expect(sessionLimit({ broadcasters: [], uploadBacklog: 0 }, limits)).toEqual({ limit: 0, by: 'no-broadcaster-capacity' });
  });
});

describe('backlogVerdict', () => {
  it('refuses past the backlog limit, and only when it is set and known', () => {
    expect(backlogVerdict({ broadcasters: null, uploadBacklog: 51 }, { ...limits, maxUploadBacklog: 50 })).toMatchObject({
      admit: false,
      reason: 'workers-busy',
    });
    expect(backlogVerdict({ broadcasters: null, uploadBacklog: 50 }, { ...limits, maxUploadBacklog: 50 })).toEqual({ admit: true });
    expect(backlogVerdict({ broadcasters: null, uploadBacklog: 999 }, limits)).toEqual({ admit: true });
    expect(backlogVerdict({ broadcasters: null, uploadBacklog: null }, { ...limits, maxUploadBacklog: 1 })).toEqual({ admit: true });
  });
});

describe('capacityRefusal', () => {
  it('names the limit and the figures', () => {
    expect(capacityRefusal(6, { limit: 6, by: 'no-broadcaster-capacity' }).message).toBe(
      'the relay is at capacity: the broadcasters can transcode 6 sessions and 6 are live',
    );
    expect(capacityRefusal(2, { limit: 2, by: 'max-live-sessions' }).message).toContain('2 of 2 live sessions (MAX_LIVE_SESSIONS)');
  });
});

describe('fullAnswer', () => {
  it('reads go-livepeer and livepeer-local session-limit answers', () => {
    expect(fullAnswer('HTTP 500: Too many sessions (max 3)')).toEqual({ max: 3 });
    expect(fullAnswer('HTTP 500: Too many sessions')).toEqual({ max: undefined });
    expect(fullAnswer('HTTP 503: no transcoder available')).toEqual({});
  });

  it('ignores other failures', () => {
    expect(fullAnswer('HTTP 500: transcode failed')).toBeNull();
    expect(fullAnswer('timed out after 4000 ms')).toBeNull();
    expect(fullAnswer(undefined)).toBeNull();
  });
});
