import { type FileHandle, open } from 'node:fs/promises';
import path from 'node:path';

/**
 * One segment being written to the publish's spool directory as `{seq}.ts`, in pieces as it is
 * cut, so that a publish holds at most a flush's worth of media in memory, and a crash leaves
 * the segment cut so far on disk for spool recovery to ship, as a segment closed by the end of
 * the input would be. Writes run in order; the first error fails the file and is reported by
 * close().
 */
export class SpoolSegmentFile {
  readonly file: string;
  private chain: Promise<FileHandle | undefined>;
  private failure?: Error;
  private written = 0;

  constructor(
    dir: string,
    readonly seq: number,
    /** told the size of each piece once it is on disk (or failed), to keep a publish's backlog */
    private readonly settled: (bytes: number) => void = () => undefined,
  ) {
    this.file = path.join(dir, `${seq}.ts`);
    this.chain = open(this.file, 'w').catch((err: Error) => this.fail(err));
  }

  append(data: Buffer): void {
    this.chain = this.chain.then(async (handle) => {
      try {
        if (!this.failure) {
          await handle!.write(data);
          this.written += data.length;
        }
      } catch (err) {
        this.fail(err as Error);
      } finally {
        this.settled(data.length);
      }
      return handle;
    });
  }

  /** Closes the file once every piece is written: its path and size, or the first write error. */
  close(): Promise<{ file: string; bytes: number }> {
    return this.chain.then(async (handle) => {
      await handle?.close().catch((err: Error) => this.fail(err));
      if (this.failure) throw this.failure;
      return { file: this.file, bytes: this.written };
    });
  }

  private fail(err: Error): undefined {
    this.failure ??= err;
    return undefined;
  }
}
