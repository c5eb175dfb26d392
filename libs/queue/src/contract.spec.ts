import {
  InvalidUploadPayloadError,
  encodeSessionEvent,
  encodeStreamControlEvent,
  parseSessionEvent,
  parseStreamControlEvent,
  parseUploadSegmentPayload,
} from './index';

const payload = {
  sessionId: 's-1',
  streamId: 'stream-1',
  livepeerStreamId: 'lp-1',
  seq: 3,
  objectKey: 'segments/s-1/3.ts',
  durationMs: 2000,
  resolution: '640x360',
  bytes: 1234,
  ingestedAt: 1_000_000,
};

describe('queue and channel contracts', () => {
  it('accepts a valid upload payload and names every broken field of an invalid one', () => {
    expect(parseUploadSegmentPayload(payload)).toEqual(payload);
    expect(parseUploadSegmentPayload({ ...payload, resolution: null }).resolution).toBeNull();
    const broken = () => parseUploadSegmentPayload({ ...payload, seq: -1, resolution: '640', objectKey: undefined });
    expect(broken).toThrow(InvalidUploadPayloadError);
    expect(broken).toThrow(/^invalid upload job payload: seq: .*; objectKey: .*; resolution: must be WIDTHxHEIGHT$/);
    expect(() => parseUploadSegmentPayload('nope')).toThrow(/payload|value/);
  });

  it('round-trips session events and refuses what is not one', () => {
    const event = { type: 'session-live', sessionId: 's-1', streamId: 'stream-1', at: 5 } as const;
    expect(parseSessionEvent(encodeSessionEvent(event))).toEqual(event);
    expect(parseSessionEvent('not json')).toBeNull();
    expect(parseSessionEvent(JSON.stringify({ ...event, type: 'session-paused' }))).toBeNull();
    expect(() => encodeSessionEvent({ ...event, sessionId: '' })).toThrow(/invalid session event: sessionId/);
  });

  it('round-trips stream control events and refuses what is not one', () => {
    const event = { type: 'stream-disabled', streamId: 'stream-1', at: 5 } as const;
    expect(parseStreamControlEvent(encodeStreamControlEvent(event))).toEqual(event);
    expect(parseStreamControlEvent(JSON.stringify({ type: 'stream-disabled' }))).toBeNull();
    expect(parseStreamControlEvent('{')).toBeNull();
  });
});
