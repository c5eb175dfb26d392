import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { mediaConfig } from '@lib/config';

/** Where the tools live (FFMPEG_PATH, FFPROBE_PATH): read once, a bad path stops the process with the variable's name. */
const tools = mediaConfig.load();
export const FFMPEG_PATH = tools.ffmpegPath;
export const FFPROBE_PATH = tools.ffprobePath;

/** Keep only the tail of stderr: the last lines hold the reason of a failure. */
const STDERR_LIMIT = 16 * 1024;

export class MediaProcessError extends Error {
  constructor(
    message: string,
    readonly tool: string,
    readonly exitCode: number | null,
    readonly signal: NodeJS.Signals | null,
    readonly stderr: string,
    /** true when the process was killed because of the timeout */
    readonly timedOut = false,
    /** true when the caller aborted */
    readonly aborted = false,
  ) {
    super(message);
    this.name = 'MediaProcessError';
  }

  /**
   * The input itself is unusable (not media, no video stream, unknown codec), as opposed to
   * a failure of the machine (killed, timed out, out of memory). A broadcaster answers 422
   * for the former (go-livepeer: "cannot probe codec / unknown codec").
   */
  get isInputError(): boolean {
    if (this.timedOut || this.aborted || this.signal) return false;
    return /Invalid data found when processing input|could not find codec parameters|matches no streams|does not contain any stream|Decoder .* not found|Unknown decoder|no frame!|Output file #\d+ does not contain any stream|Error while decoding|corrupt/i.test(
      this.stderr,
    );
  }
}

export interface RunProcessOptions {
  /** Written to stdin, then stdin is closed. Without it stdin is ignored (like -nostdin). */
  input?: Buffer;
  /** Extra output pipes after stdout (fd 3, 4, ...), e.g. for ffmpeg `pipe:3` outputs. */
  extraOutputs?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface RunProcessResult {
  stdout: Buffer;
  /** contents of fd 3, 4, ... in order */
  outputs: Buffer[];
  stderr: string;
}

function collect(stream: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/**
 * Runs a tool to completion, collecting stdout, extra output pipes and the tail of stderr.
 * The child is killed (SIGKILL: ffmpeg has nothing to flush that we still want) when the
 * timeout passes or the caller aborts, so no transcoder outlives its request.
 */
export function runProcess(command: string, args: string[], options: RunProcessOptions = {}): Promise<RunProcessResult> {
  const tool = command.split('/').pop() ?? command;
  if (options.signal?.aborted) {
    return Promise.reject(new MediaProcessError(`${tool} aborted before start`, tool, null, null, '', false, true));
  }
  const extra = options.extraOutputs ?? 0;
  const child = spawn(command, args, {
    stdio: [options.input ? 'pipe' : 'ignore', 'pipe', 'pipe', ...Array<'pipe'>(extra).fill('pipe')],
  });

  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_LIMIT);
  });

  let timedOut = false;
  let aborted = false;
  const timer =
    options.timeoutMs !== undefined
      ? setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, options.timeoutMs)
      : undefined;
  const onAbort = () => {
    aborted = true;
    child.kill('SIGKILL');
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const stdout = collect(child.stdout!);
  const outputs = Array.from({ length: extra }, (_, i) => collect(child.stdio[3 + i] as Readable));
  // Output collectors must not produce unhandled rejections if the child dies first.
  const all = Promise.all([stdout, ...outputs]).catch(() => undefined);

  if (options.input) {
    const stdin = child.stdin as Writable;
    // ffmpeg may exit (on error) before reading all input: EPIPE is expected then.
    stdin.on('error', () => undefined);
    stdin.end(options.input);
  }

  return new Promise<RunProcessResult>((resolve, reject) => {
    child.on('error', (err) => {
      cleanup();
      reject(new MediaProcessError(`${tool} could not start: ${err.message}`, tool, null, null, stderr));
    });
    child.on('close', async (code, signal) => {
      cleanup();
      if (code === 0) {
        await all;
        resolve({ stdout: await stdout, outputs: await Promise.all(outputs), stderr });
        return;
      }
      const reason = timedOut
        ? `timed out after ${options.timeoutMs} ms`
        : aborted
          ? 'aborted'
          : signal
            ? `killed by ${signal}`
            : `exited with code ${code}`;
      const lastLines = stderr.trim().split('\n').slice(-3).join(' | ');
      reject(new MediaProcessError(`${tool} ${reason}${lastLines ? `: ${lastLines}` : ''}`, tool, code, signal, stderr, timedOut, aborted));
    });
  });

  function cleanup() {
    if (timer) clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}
