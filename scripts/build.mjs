#!/usr/bin/env node
// Compiles apps/ and libs/ with SWC into dist/, keeping the tree shape
// (apps/ingest/src/main.ts -> dist/apps/ingest/src/main.js) and rewriting the
// @lib/* path aliases to relative requires, so `node dist/...` runs without a
// loader. Type checking is a separate step (`npm run typecheck`): SWC only strips types.
// --if-stale: skip files whose output is newer than the source (fast restarts).
import { transformFile } from '@swc/core';
import { promises as fs, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'dist');
const sourceDirs = ['apps', 'libs'];
const onlyStale = process.argv.includes('--if-stale');
const tsconfig = JSON.parse(await fs.readFile(path.join(root, 'tsconfig.json'), 'utf8'));
// The dashboard runs in the browser as ES modules (<script type="module">), the rest in Node as CommonJS.
const browserDirs = ['apps/stitcher/src/dashboard/'];
const isBrowserCode = (rel) => browserDirs.some((dir) => rel.split(path.sep).join('/').startsWith(dir));

async function* walk(dir) {
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else yield full;
  }
}

function isStale(src, out) {
  try {
    return statSync(out).mtimeMs < statSync(src).mtimeMs;
  } catch {
    return true;
  }
}

const started = Date.now();
let compiled = 0;
let copied = 0;
for (const dir of sourceDirs) {
  for await (const file of walk(path.join(root, dir))) {
    const rel = path.relative(root, file);
    if (file.endsWith('.d.ts')) continue;
    const isTs = file.endsWith('.ts');
    // Tests are run by vitest from source; only runtime code goes to dist.
    if (isTs && /\.(spec|int-spec|medium-spec|e2e-spec)\.ts$/.test(file)) continue;
    const out = path.join(outDir, isTs ? rel.replace(/\.ts$/, '.js') : rel);
    if (onlyStale && !isStale(file, out)) continue;
    await fs.mkdir(path.dirname(out), { recursive: true });
    if (!isTs) {
      // Static assets (dashboard pages, SQL, JSON) travel with the code.
      await fs.copyFile(file, out);
      copied++;
      continue;
    }
    const result = await transformFile(file, {
      filename: file,
      sourceMaps: true,
      module: { type: isBrowserCode(rel) ? 'es6' : 'commonjs' },
      jsc: {
        target: 'es2022',
        baseUrl: root,
        paths: tsconfig.compilerOptions.paths,
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
        keepClassNames: true,
      },
    });
    await fs.writeFile(out, result.code + `\n//# sourceMappingURL=${path.basename(out)}.map\n`);
    if (result.map) await fs.writeFile(out + '.map', result.map);
    compiled++;
  }
}
// On stderr: `npm run -s cli -- ... --json` must print exactly one JSON document on stdout.
console.error(`build: ${compiled} compiled, ${copied} copied into dist/ in ${Date.now() - started} ms`);
