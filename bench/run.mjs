#!/usr/bin/env node
// `npm run bench`: builds, runs every benchmark one after the other (each prints
// markdown tables), prints them, and writes docs/benchmarks.md with the commit and
// the machine they ran on. Options are passed through by name:
//   npm run bench -- --quick     smaller runs (ingest N=1,10; worker K=10,100; system N=1,10)
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDependencies } from '../scripts/ensure-deps.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.argv.includes('--quick');
const BENCHES = [
  {
    title: 'Ingest: concurrent RTMP publishers',
    script: 'bench/ingest.ts',
    args: ['--publishers', quick ? '1,10' : '1,10,50', '--seconds', '30'],
  },
  {
    title: 'Worker: upload throughput and overhead (livepeer-local in passthrough mode)',
    script: 'bench/worker.ts',
    args: ['--streams', quick ? '10,100' : '10,100,300', '--workers', '1,2'],
  },
  {
    title: 'Whole system: end-to-end latency against a no-relay baseline, and per-app resources',
    script: 'bench/system.ts',
    args: ['--streams', quick ? '1,10' : '1,10,50', '--seconds', '40'],
  },
];

ensureDependencies(root);
execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { stdio: 'inherit' });

const sections = [];
for (const bench of BENCHES) {
  console.log(`\n## ${bench.title}\n`);
  const started = Date.now();
  const result = spawnSync(path.join(root, 'node_modules/.bin/vite-node'), ['--config', 'vitest.config.ts', bench.script, '--', ...bench.args], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  process.stdout.write(result.stdout);
  // Keep the tables and figure lines; progress lines ("running ...") and JSON dumps stay in the terminal.
  const kept = result.stdout
    .split('\n')
    .filter((l) => !/^(running|\{)/.test(l))
    .join('\n')
    // Markdown needs a blank line between a caption line and the table under it.
    .replace(/^([^|\n].*)\n\|/gm, '$1\n\n|')
    .trim();
  const command = `npx vite-node --config vitest.config.ts ${bench.script} -- ${bench.args.join(' ')}`;
  const status = result.status === 0 ? '' : `\n\n**The run failed (exit ${result.status}); figures may be partial.**`;
  sections.push(`## ${bench.title}\n\n\`${command}\` (${((Date.now() - started) / 1000).toFixed(0)} s)\n\n${kept}${status}`);
}

const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
const cpu = readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1] ?? 'unknown CPU';
const machine = `${os.cpus().length} cores (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}, Node ${process.version}`;
const doc = `# Benchmarks

Written by \`npm run bench\` (bench/run.mjs); run it again to refresh this file. Figures are
measurements on a shared machine, not limits: the tests never assert on timings.

- commit: \`${commit}\`
- machine: ${machine}
- date: ${new Date().toISOString()}

How to reproduce: \`npm run bench\` (or \`npm run bench -- --quick\`), or one benchmark with the
command shown under its heading, after \`node scripts/build.mjs\`. Each benchmark's source
(\`bench/*.ts\`) explains what it measures and how.

${sections.join('\n\n')}
`;
writeFileSync(path.join(root, 'docs/benchmarks.md'), doc);
console.log('\nwrote docs/benchmarks.md');
