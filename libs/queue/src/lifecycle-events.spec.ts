import { decodeLifecycleEvent, encodeLifecycleEvent, lifecycleEventId, parseLifecycleEvent } from './lifecycle-events';

describe('lifecycle events', () => {
  const started = {
    id: lifecycleEventId('stream.started', 'session-1'),
    type: 'stream.started' as const,
    timestamp: 1_700_000_000_000,
    streamId: 'stream-1',
    sessionId: 'session-1',
    recordingId: null,
    data: { playbackId: 'abc' },
  };

  it('names one occurrence the same every time it is derived, and different occurrences differently', () => {
    expect(lifecycleEventId('stream.started', 'session-1')).toBe(started.id);
    expect(lifecycleEventId('stream.idle', 'session-1')).not.toBe(started.id);
    expect(lifecycleEventId('stream.transcoding-degraded', 'session-1', 4)).not.toBe(
      lifecycleEventId('stream.transcoding-degraded', 'session-1', 5),
    );
  });

  it('round-trips through the channel and refuses what breaks the contract', () => {
    expect(decodeLifecycleEvent(encodeLifecycleEvent(started))).toEqual(started);
    expect(decodeLifecycleEvent('not json')).toBeNull();
    expect(decodeLifecycleEvent(JSON.stringify({ ...started, type: 'stream.exploded' }))).toBeNull();
    expect(() => parseLifecycleEvent({ ...started, data: {} })).toThrow(/data.playbackId/);
    expect(parseLifecycleEvent({ ...started, type: 'recording.ready', recordingId: 'r1', data: undefined })).toMatchObject({ data: {} });
  });
});
