import { MediaProcessError, TsScanError } from '@lib/media';
import { longestKeyframeGap, probeFailureDetail, sourceOfSegment } from './segment-probe';

describe('pushed segment probing', () => {
  it('measures the longest gap between keyframes, counting to the end of the segment', () => {
    expect(longestKeyframeGap([1.4], 1.4, 2)).toBeCloseTo(2);
    expect(longestKeyframeGap([1.4, 2.4, 3.4], 1.4, 3)).toBeCloseTo(1);
    expect(longestKeyframeGap([1.4], 1.4, 10)).toBeCloseTo(10);
    expect(longestKeyframeGap([], 0, 2)).toBeUndefined();
  });

  it('builds the source info the input rules check', () => {
    const source = sourceOfSegment({
      info: {
        formatName: 'mpegts',
        duration: 2.0,
        startTime: 1.4,
        streams: [],
        video: { index: 0, type: 'video', codec: 'hevc', width: 320, height: 180, fps: 29.97002997, startTime: 1.4, duration: 2 },
        audio: { index: 1, type: 'audio', codec: 'aac' },
      },
      keyframes: [1.4],
    });
    expect(source).toEqual({ videoCodec: 'hevc', width: 320, height: 180, fps: 29.97, keyframeIntervalSec: 2, audioCodec: 'aac' });
  });
});

describe('probe failure detail', () => {
  const failure = (stderr: string) => new MediaProcessError('ffprobe failed', 'ffprobe', 1, null, stderr);

  it("gives ffprobe's last complaint with no local path in it", () => {
    expect(probeFailureDetail(failure('file:/tmp/spool/abc/push-1.ts: Invalid data found when processing input\n'))).toBe(
      'Invalid data found when processing input',
    );
    expect(probeFailureDetail(failure('something\nCould not open /etc/passwd for reading'))).toBe('Could not open segment for reading');
    expect(probeFailureDetail(new Error('boom /var/x'))).toBe('ffprobe failed');
    expect(probeFailureDetail(new TsScanError('not MPEG-TS: no sync byte at byte 0'))).toBe('not MPEG-TS: no sync byte at byte 0');
  });
});
