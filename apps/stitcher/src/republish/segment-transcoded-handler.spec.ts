import type { SegmentTranscodedEvent } from '@lib/queue';
import { segmentTranscodedHandler } from './segment-transcoded-handler';

describe('segment-transcoded messages', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['Date'] }));
  afterEach(() => vi.useRealTimers());

  const event: SegmentTranscodedEvent = { sessionId: 's', streamId: 't', seq: 3, uploadedAt: 1000, renditions: { low: 'k' } };

  it('routes a valid announcement and logs bad ones at most every 10 s, with how many were ignored', () => {
    const routed: SegmentTranscodedEvent[] = [];
    const logged: { ignored: number; sample: string }[] = [];
    const handle = segmentTranscodedHandler(
      (e) => routed.push(e),
      (fields) => logged.push(fields),
    );
    handle(JSON.stringify(event));
    handle(JSON.stringify({ ...event, renditions: null }));
    expect(routed).toEqual([event, { ...event, renditions: null }]);

    vi.setSystemTime(100_000);
    handle('not json');
    handle(JSON.stringify({ ...event, seq: -1 }));
    handle(JSON.stringify({ ...event, renditions: { low: '' } }));
    expect(logged).toEqual([{ ignored: 1, sample: 'not json' }]);
    vi.setSystemTime(110_000);
    handle('{}');
    expect(logged.at(-1)).toEqual({ ignored: 3, sample: '{}' });
    expect(routed).toHaveLength(2);
  });
});
