import { ManagedProcess } from '@lib/runtime';

export interface TestPatternOptions {
  /** Output URL or file (rtmp://..., /tmp/x.ts). */
  output: string;
  /** flv for RTMP, mpegts for files/HTTP. */
  format?: 'flv' | 'mpegts';
  seconds?: number;
  width?: number;
  height?: number;
  fps?: number;
  /** Keyframe interval in seconds. */
  gopSeconds?: number;
  codec?: 'libx264' | 'libx265';
  audio?: boolean;
  /** Pace at real time (-re), as a live encoder would. */
  realtime?: boolean;
  /** A video bitrate such as `520k` (capped, CBR-like); default: the preset's own rate control. */
  videoBitrate?: string;
}

/** ffmpeg arguments for a synthetic test pattern (testsrc2 + sine), H.264 by default. */
export function testPatternArgs(o: TestPatternOptions): string[] {
  const { seconds = 10, width = 640, height = 360, fps = 30, gopSeconds = 2, codec = 'libx264', audio = true } = o;
  const args = ['-nostdin', '-hide_banner', '-loglevel', 'error'];
  if (o.realtime !== false) args.push('-re');
  args.push('-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=${fps}:duration=${seconds}`);
  if (audio) args.push('-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=44100:duration=${seconds}`);
  args.push('-c:v', codec, '-preset', 'ultrafast', '-threads', '1', '-pix_fmt', 'yuv420p');
  args.push('-g', String(Math.round(gopSeconds * fps)), '-keyint_min', String(Math.round(gopSeconds * fps)));
  args.push('-sc_threshold', '0');
  if (o.videoBitrate) args.push('-b:v', o.videoBitrate, '-maxrate', o.videoBitrate, '-bufsize', o.videoBitrate);
  if (codec === 'libx264') args.push('-bf', '0', '-tune', 'zerolatency');
  if (audio) args.push('-c:a', 'aac', '-b:a', '64k');
  args.push('-f', o.format ?? (o.output.startsWith('rtmp') ? 'flv' : 'mpegts'), o.output);
  return args;
}

/** Starts ffmpeg publishing a test pattern; stop() ends it like an encoder going away. */
export function publishTestPattern(o: TestPatternOptions, name = 'ffmpeg'): ManagedProcess {
  return new ManagedProcess({ name, command: 'ffmpeg', args: testPatternArgs(o) });
}

export interface Republisher {
  /** ffmpeg runs started so far (1 + reconnects). */
  readonly attempts: number;
  /** Resolves when the publish time is over (and the last ffmpeg has exited). */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

/**
 * A publisher that reconnects like a live encoder: whenever ffmpeg exits before
 * `seconds` are over (the ingest it published to went away), it starts again 0.5 s
 * later with the time left, until the time is over.
 */
export function publishWithReconnects(o: TestPatternOptions, name = 'ffmpeg'): Republisher {
  const endsAt = Date.now() + (o.seconds ?? 10) * 1000;
  let current: ManagedProcess | undefined;
  let stopped = false;
  let attempts = 0;
  const run = async () => {
    while (!stopped && endsAt - Date.now() > 1000) {
      attempts++;
      current = publishTestPattern({ ...o, seconds: Math.ceil((endsAt - Date.now()) / 1000) }, `${name}-${attempts}`);
      await current.exited;
      if (!stopped && endsAt - Date.now() > 1000) await new Promise((r) => setTimeout(r, 500));
    }
  };
  const done = run();
  return {
    get attempts() {
      return attempts;
    },
    done,
    stop: async () => {
      stopped = true;
      await current?.stop();
      await done;
    },
  };
}
