import path from 'node:path';
import { ManagedProcess } from '@lib/runtime';
import { testPatternArgs } from '@lib/testing';

/**
 * The benchmarks' publishers replay one file, encoded once, with `-re -stream_loop -1 -c copy`:
 * a publisher then costs no encoding, so the machine's CPU goes to the relay (the method of the
 * scale issue's independent run: 640x360 at about 590 kbit/s, 2 s GOP, H.264 + AAC).
 */
export const REPLAY_VIDEO_BITRATE = '520k';

export async function encodeReplaySource(dir: string): Promise<string> {
  const file = path.join(dir, 'source.flv');
  const proc = new ManagedProcess({
    name: 'encode-once',
    command: 'ffmpeg',
    args: testPatternArgs({
      output: file,
      format: 'flv',
      seconds: 20,
      width: 640,
      height: 360,
      gopSeconds: 2,
      realtime: false,
      videoBitrate: REPLAY_VIDEO_BITRATE,
    }),
  });
  if ((await proc.exited).code !== 0) throw new Error(`encoding the source failed:\n${proc.tail()}`);
  return file;
}

/** One publisher replaying `file` to `rtmpUrl` at real time for `seconds`. */
export function replayPublisher(name: string, file: string, rtmpUrl: string, seconds: number): ManagedProcess {
  return new ManagedProcess({
    name,
    command: 'ffmpeg',
    args: [
      ...['-nostdin', '-hide_banner', '-loglevel', 'error', '-re', '-stream_loop', '-1', '-i', file, '-c', 'copy'],
      ...['-t', String(seconds), '-f', 'flv', rtmpUrl],
    ],
  });
}
