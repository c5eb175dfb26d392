import { describe, expect, it } from 'vitest';
import { transcodeHealth, type RecentSegment } from './transcode-status';

const ok = (roundTripMs = 1000): RecentSegment => ({ state: 'uploaded', durationMs: 2000, roundTripMs, dropReason: null });
const lost: RecentSegment = { state: 'dropped', durationMs: 2000, roundTripMs: null, dropReason: 'deadline-exceeded' };

describe('transcodeHealth', () => {
  it('is transcoding with the speed factor when recent segments came back faster than real time', () => {
    expect(transcodeHealth({ renditions: 2, stateReason: null, recent: [ok(1000), ok(500)] })).toEqual({
      status: 'transcoding',
      speedFactor: 2.67,
    });
  });

  it('is degraded when segments are lost or transcoding is slower than real time', () => {
    expect(transcodeHealth({ renditions: 2, stateReason: null, recent: [ok(), lost] }).status).toBe('degraded');
    expect(transcodeHealth({ renditions: 2, stateReason: null, recent: [ok(3000)] })).toEqual({ status: 'degraded', speedFactor: 0.67 });
  });

  it('is not transcoding, saying why, without renditions or without any segment coming back', () => {
    expect(transcodeHealth({ renditions: 0, stateReason: 'not transcoding: the API stored no ladder', recent: [ok()] }).status).toBe(
      'not transcoding: the API stored no ladder',
    );
    expect(transcodeHealth({ renditions: 0, stateReason: null, recent: [] }).status).toBe(
      'not transcoding: no renditions were found for this session',
    );
    expect(transcodeHealth({ renditions: 2, stateReason: null, recent: [lost, lost] }).status).toBe(
      'not transcoding: the last 2 segment(s) were dropped (deadline-exceeded)',
    );
  });

  it('judges nothing before segments settle', () => {
    expect(transcodeHealth({ renditions: 1, stateReason: null, recent: [{ ...ok(), state: 'queued', roundTripMs: null }] })).toEqual({
      status: 'transcoding',
      speedFactor: null,
    });
  });
});
