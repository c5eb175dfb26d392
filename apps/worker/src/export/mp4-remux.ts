import { spawn } from 'node:child_process';
import path from 'node:path';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { FFMPEG_PATH, MediaProcessError } from '@lib/media';

export interface RemuxInput {
  /**
   * Local MPEG-TS files in play order, in runs: a run is segments cut from one continuous
   * stream (no discontinuity between them), whose timestamps simply go on.
   */
  runs: string[][];
  /** Folder for the joined runs. */
  workDir: string;
  /** Where the concat list is written. */
  listFile: string;
  outFile: string;
  /** The source has AAC audio: ADTS headers become the MP4's AudioSpecificConfig (aac_adtstoasc). */
  aac: boolean;
  /** Expected duration, for progress. */
  durationMs: number;
  /** Fraction of the output written (0..1), from ffmpeg's -progress. */
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

/** The ffmpeg arguments: concat of the segments, stream copy (no re-encode), moov atom first (+faststart). */
export function remuxArgs(input: Pick<RemuxInput, 'listFile' | 'outFile' | 'aac'>): string[] {
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    '-f',
    'concat',
    '-safe',
    '0',
    // The list names local files only; nothing else may be opened through it.
    '-protocol_whitelist',
    'file',
    '-i',
    input.listFile,
    '-map',
    '0',
    '-c',
    'copy',
    ...(input.aac ? ['-bsf:a', 'aac_adtstoasc'] : []),
    '-movflags',
    '+faststart',
    '-progress',
    'pipe:1',
    '-y',
    input.outFile,
  ];
}

/** `out_time_us=...` lines of ffmpeg's -progress output, as a fraction of the expected duration. */
export function progressOf(line: string, durationMs: number): number | undefined {
  const match = /^out_time_us=(\d+)$/.exec(line.trim());
  if (!match || durationMs <= 0) return undefined;
  return Math.min(1, Number(match[1]) / 1000 / durationMs);
}

/**
 * Remuxes MPEG-TS segments into one MP4 with `ffmpeg -f concat -c copy -movflags +faststart`.
 * Each run is joined byte for byte first (MPEG-TS segments of one stream concatenate into that
 * stream, its own timestamps kept, so no per-segment rounding adds up over hours); the concat
 * demuxer then puts each run after the previous one's end, so a recording with discontinuities
 * (reconnects) plays on without a gap or a timestamp jump.
 */
export async function remuxToMp4(input: RemuxInput): Promise<void> {
  const joined: string[] = [];
  for (const [i, run] of input.runs.entries()) {
    const file = path.join(input.workDir, `run-${i}.ts`);
    await writeFile(file, Buffer.alloc(0));
    for (const segment of run) await appendFile(file, await readFile(segment));
    joined.push(file);
  }
  const quote = (file: string) => `file '${file.replace(/'/g, "'\\''")}'`;
  await writeFile(input.listFile, `${joined.map(quote).join('\n')}\n`);
  const child = spawn(FFMPEG_PATH, remuxArgs(input), { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (c: string) => (stderr = (stderr + c).slice(-4000)));
  let pending = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const fraction = progressOf(line, input.durationMs);
      if (fraction !== undefined) input.onProgress?.(fraction);
    }
  });
  const onAbort = () => child.kill('SIGKILL');
  input.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await new Promise<void>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, signal) => {
        if (code === 0) return resolve();
        const last = stderr.trim().split('\n').slice(-3).join(' | ');
        reject(
          new MediaProcessError(
            `ffmpeg remux ${signal ? `killed by ${signal}` : `exited with code ${code}`}: ${last}`,
            'ffmpeg',
            code,
            signal,
            stderr,
          ),
        );
      });
    });
  } finally {
    input.signal?.removeEventListener('abort', onAbort);
  }
}
