import { ChildProcess, spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import readline from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { FFMPEG_PATH } from './process';

/**
 * Cuts a live input into MPEG-TS segments with ffmpeg's segment muxer, `-c copy` (no
 * re-encoding), on keyframes at a target duration. A segment is reported only once
 * ffmpeg has closed it: the muxer writes one line to its segment list (here a CSV on
 * fd 3) after the file is complete, with the exact start and end times of the cut.
 */
export interface SegmenterOptions {
  /** Directory the `{index}.ts` files are written to (must exist). */
  outputDir: string;
  /** Cut at the first keyframe at or after each multiple of this many seconds. */
  targetSeconds: number;
  /** ffmpeg demuxer of the input (e.g. `flv`); probed when absent. */
  inputFormat?: string;
  /** `pipe:0` (default: the caller writes the input into `segmenter.input`), a file or a URL. */
  inputUrl?: string;
  /** Number of the first segment (default 0). */
  startNumber?: number;
  ffmpegPath?: string;
}

export interface CutSegment {
  /** ffmpeg's segment number: counts up from startNumber with no gaps. */
  index: number;
  file: string;
  startSeconds: number;
  endSeconds: number;
  /** end - start, rounded to the millisecond (0 when the list's times are invalid) */
  durationMs: number;
  /**
   * Set when the segment list says the segment ends before it starts (the input's timestamps
   * went backwards): the file exists but its times are meaningless. Reported anyway, so the
   * caller can record it instead of losing it silently.
   */
  invalidTiming?: string;
  bytes: number;
  /** Epoch ms when the segmenter reported the segment closed. */
  closedAt: number;
}

export interface SegmenterExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** true when ffmpeg exited 0 */
  ok: boolean;
  /** last lines ffmpeg printed (errors only, -loglevel error) */
  stderr: string;
  segments: number;
}

interface ListEntry {
  name: string;
  start: number;
  end: number;
}

/**
 * One line of ffmpeg's CSV segment list: `name,start,end` (name quoted when it contains a comma
 * or quote). An end before the start is returned as it is: the segment was cut all the same.
 */
export function parseSegmentListLine(line: string): ListEntry | null {
  const match = /^("(?:[^"]|"")*"|[^,]*),([-0-9.eE+]+),([-0-9.eE+]+)\s*$/.exec(line.trim());
  if (!match) return null;
  const rawName = match[1];
  const name = rawName.startsWith('"') ? rawName.slice(1, -1).replace(/""/g, '"') : rawName;
  const start = Number(match[2]);
  const end = Number(match[3]);
  if (!name || !Number.isFinite(start) || !Number.isFinite(end)) return null;
  return { name, start, end };
}

export function segmenterArgs(options: SegmenterOptions): string[] {
  const args = ['-nostdin', '-hide_banner', '-loglevel', 'error', '-y'];
  if (options.inputFormat) args.push('-f', options.inputFormat);
  args.push('-i', options.inputUrl ?? 'pipe:0');
  args.push('-map', '0:v:0', '-map', '0:a:0?', '-c', 'copy');
  args.push(
    '-f',
    'segment',
    '-segment_time',
    String(options.targetSeconds),
    '-segment_format',
    'mpegts',
    '-segment_start_number',
    String(options.startNumber ?? 0),
    // Keep the input clock across segments: a continuous timeline is what HLS and broadcasters expect.
    '-reset_timestamps',
    '0',
    '-segment_list',
    'pipe:3',
    '-segment_list_type',
    'csv',
    path.join(options.outputDir, '%d.ts'),
  );
  return args;
}

const STDERR_LIMIT = 8 * 1024;

export class Segmenter {
  private readonly child: ChildProcess;
  private readonly listeners: ((segment: CutSegment) => void | Promise<void>)[] = [];
  private stderr = '';
  private reported = 0;
  /** Segments are stat'ed and handed on strictly in list order. */
  private chain: Promise<void> = Promise.resolve();
  readonly done: Promise<SegmenterExit>;

  constructor(private readonly options: SegmenterOptions) {
    const usesStdin = (options.inputUrl ?? 'pipe:0') === 'pipe:0';
    this.child = spawn(options.ffmpegPath ?? FFMPEG_PATH, segmenterArgs(options), {
      stdio: [usesStdin ? 'pipe' : 'ignore', 'ignore', 'pipe', 'pipe'],
    });
    this.child.stderr!.setEncoding('utf8');
    this.child.stderr!.on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-STDERR_LIMIT);
    });
    // The input end closes when ffmpeg exits early (bad input): the caller sees that in `done`.
    this.child.stdin?.on('error', () => undefined);

    const list = readline.createInterface({ input: this.child.stdio[3] as Readable });
    list.on('line', (line) => this.onListLine(line));
    const listClosed = new Promise<void>((resolve) => list.once('close', resolve));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      this.child.once('error', (err) => {
        this.stderr += `\n${options.ffmpegPath ?? FFMPEG_PATH} could not start: ${err.message}`;
        resolve({ code: null, signal: null });
      });
      this.child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    this.done = Promise.all([exited, listClosed]).then(async ([{ code, signal }]) => {
      await this.chain;
      return { code, signal, ok: code === 0, stderr: this.stderr.trim(), segments: this.reported };
    });
  }

  /** Where to write the input when reading from `pipe:0` (null otherwise). */
  get input(): Writable | null {
    return this.child.stdin ?? null;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Called for every closed segment, in order; a returned promise is awaited before the next one. */
  onSegment(listener: (segment: CutSegment) => void | Promise<void>): void {
    this.listeners.push(listener);
  }

  /**
   * Ends the input so ffmpeg closes the last (partial) segment and exits; kills it if
   * it has not exited within `timeoutMs`.
   */
  async finish(timeoutMs = 10_000): Promise<SegmenterExit> {
    this.child.stdin?.end();
    const timer = setTimeout(() => this.kill(), timeoutMs);
    try {
      return await this.done;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops at once; the segment being written is lost (use finish() to keep it). */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  private onListLine(line: string): void {
    const entry = parseSegmentListLine(line);
    if (!entry) return;
    const closedAt = Date.now();
    this.chain = this.chain
      .then(async () => {
        const file = path.join(this.options.outputDir, entry.name);
        const index = Number(path.basename(entry.name, '.ts'));
        const { size } = await stat(file);
        const segment: CutSegment = {
          index,
          file,
          startSeconds: entry.start,
          endSeconds: entry.end,
          durationMs: Math.max(0, Math.round((entry.end - entry.start) * 1000)),
          bytes: size,
          closedAt,
        };
        if (entry.end < entry.start) {
          segment.invalidTiming = `segment ends (${entry.end} s) before it starts (${entry.start} s): the input's timestamps went backwards`;
        }
        this.reported++;
        for (const listener of this.listeners) {
          try {
            await listener(segment);
          } catch {
            // A listener's failure is its own to report; the next segments must still flow.
          }
        }
      })
      .catch(() => undefined);
  }
}
