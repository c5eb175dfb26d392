import path from 'node:path';

/** Repository root, from dist/libs/runtime/src or libs/runtime/src alike. */
export const repoRoot = path.resolve(__dirname, __dirname.includes(`${path.sep}dist${path.sep}`) ? '../../../..' : '../../..');

/** Compiled entry of an app or a library main, e.g. distEntry('apps/ingest/src/main'). */
export function distEntry(relativeWithoutExt: string): string {
  return path.join(repoRoot, 'dist', `${relativeWithoutExt}.js`);
}
