import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Writes a cut segment to the publish's spool directory as `{seq}.ts`, through a `.part` file
 * renamed into place: a `{seq}.ts` is always complete, so spool recovery (which ships every
 * `{seq}.ts` after a crash and deletes any other file) never ships half a segment.
 */
export async function writeSpoolSegment(dir: string, seq: number, data: Buffer): Promise<string> {
  const file = path.join(dir, `${seq}.ts`);
  const partial = `${file}.part`;
  await writeFile(partial, data);
  await rename(partial, file);
  return file;
}
