import { ThumbnailSchedule } from './live-thumbnails';

describe('live thumbnail schedule', () => {
  it("takes a stream's first segment at once, then one every interval", () => {
    const schedule = new ThumbnailSchedule(10_000);
    expect(schedule.start('a', 0)).toBe(true);
    schedule.finished();
    expect(schedule.start('a', 2_000)).toBe(false);
    expect(schedule.start('a', 9_999)).toBe(false);
    expect(schedule.start('a', 10_000)).toBe(true);
  });

  it('runs one ffmpeg at a time: a stream due while another runs waits for its next segment', () => {
    const schedule = new ThumbnailSchedule(10_000);
    expect(schedule.start('a', 0)).toBe(true);
    expect(schedule.start('b', 100)).toBe(false);
    schedule.finished();
    expect(schedule.start('b', 2_100)).toBe(true);
  });

  it('starts an ended stream afresh: its next session gets a thumbnail at once', () => {
    const schedule = new ThumbnailSchedule(10_000);
    expect(schedule.start('a', 0)).toBe(true);
    schedule.finished();
    schedule.forget('a');
    expect(schedule.start('a', 1_000)).toBe(true);
  });
});
