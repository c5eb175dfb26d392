import { RECOVERY_LISTINGS, TranscodeHealth } from './transcode-health';

describe('TranscodeHealth', () => {
  it('degrades at the first rendition skipped for a transcoding reason, once, and recovers after a run of listings', () => {
    const health = new TranscodeHealth();
    expect(health.listed(0)).toBeNull();
    expect(health.skipped(1, { '360p': 'not-in-playlist', source: 'not-in-playlist' })).toEqual({
      type: 'degraded',
      seq: 1,
      reasons: { '360p': 'not-in-playlist' },
    });
    expect(health.skipped(2, { '360p': 'fetch-failed' })).toBeNull(); // already degraded
    for (let i = 1; i < RECOVERY_LISTINGS; i++) expect(health.listed(2 + i)).toBeNull();
    expect(health.listed(2 + RECOVERY_LISTINGS)).toEqual({ type: 'recovered', seq: 2 + RECOVERY_LISTINGS });
    expect(health.listed(10)).toBeNull();
  });

  it('starts the recovery run again at a new transcoding skip', () => {
    const health = new TranscodeHealth();
    health.skipped(0, { '360p': 'broadcaster-rejected' });
    health.listed(1);
    health.listed(2);
    expect(health.skipped(3, { '360p': 'deadline-exceeded' })).toBeNull();
    expect(health.listed(4)).toBeNull();
    expect(health.listed(5)).toBeNull();
    expect(health.listed(6)).toMatchObject({ type: 'recovered' });
  });

  it('ignores drops that are not transcoding failures (input, the relay stores, the source variant)', () => {
    const health = new TranscodeHealth();
    expect(health.skipped(0, { '360p': 'over-target-duration', source: 'over-target-duration' })).toBeNull();
    expect(health.skipped(1, { '360p': 'storage-unavailable' })).toBeNull();
    expect(health.skipped(2, { source: 'fetch-failed' })).toBeNull();
  });
});
