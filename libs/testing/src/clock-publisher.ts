import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { encodeFrameClock } from './frame-clock';

/** One destination of the single encode (a tee muxer slave). */
export interface ClockOutput {
  /** The tee muxer slave spec: `[options]url`. */
  spec: string;
}

/** The relay's ingest: FLV over RTMP. */
export function rtmpOutput(url: string): ClockOutput {
  return { spec: `[f=flv:onfail=abort]${url}` };
}

/**
 * ffmpeg's own HLS muxer writing a live playlist into `dir` (the no-relay baseline): segments
 * cut on the same keyframes, listed when complete (temp_file: a player never reads a partial file).
 */
export function hlsDirectoryOutput(dir: string, segmentSeconds: number): ClockOutput {
  const options = [
    'f=hls',
    `hls_time=${segmentSeconds}`,
    'hls_list_size=6',
    'hls_flags=delete_segments+temp_file+independent_segments',
    `hls_segment_filename=${path.join(dir, 'seg%d.ts')}`,
  ];
  return { spec: `[${options.join(':')}]${path.join(dir, 'index.m3u8')}` };
}

export interface ClockPublisherOptions {
  outputs: ClockOutput[];
  /** Keyframe interval = the segment length every output cuts at. */
  gopSeconds: number;
  width?: number;
  height?: number;
  fps?: number;
}

/**
 * A live encoder whose pictures are the wall clock (see frame-clock.ts): this process draws
 * each frame with the epoch ms of its creation and pipes it, paced at real time, into ONE
 * ffmpeg (libx264, zerolatency, fixed GOP, silent AAC) whose tee muxer sends that one encoded
 * stream to every output, so every path starts from the same frames at the same instant.
 */
export class ClockPublisher {
  readonly startedAt = Date.now();
  frames = 0;
  /** Most frames ever waiting in the pipe for ffmpeg: above a few, the encoder fell behind real time. */
  maxBacklogFrames = 0;
  private readonly ffmpeg: ChildProcess;
  private readonly recent: string[] = [];
  private timer?: NodeJS.Timeout;
  private stopped = false;
  readonly exited: Promise<number | null>;

  private constructor(private readonly options: Required<ClockPublisherOptions>) {
    const { width, height, fps, gopSeconds, outputs } = options;
    const gop = String(Math.round(gopSeconds * fps));
    // prettier-ignore
    const args = [
      '-nostdin', '-hide_banner', '-loglevel', 'error',
      '-f', 'rawvideo', '-pix_fmt', 'gray', '-s', `${width}x${height}`, '-framerate', String(fps), '-i', 'pipe:0',
      '-re', '-f', 'lavfi', '-i', 'anullsrc=channel_layout=mono:sample_rate=44100',
      '-map', '0:v', '-map', '1:a',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-threads', '1', '-pix_fmt', 'yuv420p',
      '-g', gop, '-keyint_min', gop, '-sc_threshold', '0', '-bf', '0',
      '-c:a', 'aac', '-b:a', '64k',
      // The tee muxer cannot tell the encoders that FLV wants global headers; MPEG-TS repeats them per keyframe.
      '-flags', '+global_header',
      '-flush_packets', '1',
      // Each output behind its own queue (~30 s): an output that reads slowly (a relay's ingest
      // under load) must not hold back the encoder, and so every other path, with it.
      '-use_fifo', '1', '-fifo_options', 'queue_size=1800',
      '-f', 'tee', outputs.map((o) => o.spec).join('|'),
    ];
    this.ffmpeg = spawn('ffmpeg', args, { stdio: ['pipe', 'ignore', 'pipe'] });
    this.ffmpeg.stderr!.on('data', (chunk: Buffer) => {
      this.recent.push(...chunk.toString().split('\n').filter(Boolean));
      this.recent.splice(0, Math.max(0, this.recent.length - 40));
    });
    this.ffmpeg.stdin!.on('error', () => undefined); // ffmpeg gone: exited tells why
    this.exited = new Promise((resolve) => this.ffmpeg.once('exit', (code) => resolve(code)));
    void this.exited.then(() => this.halt());
    this.next();
  }

  static start(options: ClockPublisherOptions): ClockPublisher {
    return new ClockPublisher({ width: 640, height: 360, fps: 30, ...options });
  }

  /** ffmpeg's last error lines. */
  tail(): string {
    return this.recent.join('\n');
  }

  /** Ends the input like an encoder going away; resolves when ffmpeg has flushed every output. */
  async stop(): Promise<void> {
    this.halt();
    this.ffmpeg.stdin!.end();
    // The silent audio source never ends by itself (and -shortest would queue packets to sync
    // the streams): SIGINT makes ffmpeg finish every output as at the end of the input.
    const interrupt = setTimeout(() => this.ffmpeg.kill('SIGINT'), 500);
    const kill = setTimeout(() => this.ffmpeg.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(interrupt);
    clearTimeout(kill);
  }

  private halt(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Draws and writes frame n at startedAt + n / fps (late frames are written at once, never skipped). */
  private next(): void {
    if (this.stopped) return;
    const { width, height, fps } = this.options;
    const stdin = this.ffmpeg.stdin!;
    this.maxBacklogFrames = Math.max(this.maxBacklogFrames, Math.floor(stdin.writableLength / (width * height)));
    stdin.write(encodeFrameClock(Date.now(), width, height));
    this.frames++;
    const due = this.startedAt + (this.frames * 1000) / fps;
    this.timer = setTimeout(() => this.next(), Math.max(0, due - Date.now()));
  }
}
