/**
 * Minimal typing of `dicer` (mscdex's generic multipart parser, installed with s3rver's busboy
 * 0.3). The tests use it as an independent parser of multipart/mixed push answers: busboy 1.x
 * only reads multipart/form-data parts.
 */
declare module 'dicer' {
  import { Writable } from 'node:stream';
  import { Readable } from 'node:stream';
  interface DicerPart extends Readable {
    on(event: 'header', listener: (header: Record<string, string[]>) => void): this;
    on(event: 'data', listener: (chunk: Buffer) => void): this;
    on(event: 'end', listener: () => void): this;
    on(event: 'error', listener: (err: Error) => void): this;
  }
  class Dicer extends Writable {
    constructor(options: { boundary: string });
    on(event: 'part', listener: (part: DicerPart) => void): this;
    on(event: 'finish', listener: () => void): this;
    on(event: 'error', listener: (err: Error) => void): this;
  }
  export = Dicer;
}
