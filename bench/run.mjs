#!/usr/bin/env node
// `npm run bench`: builds, runs every benchmark one after the other (each prints
// markdown tables), prints them, and writes docs/benchmarks.md with the commit and
// the machine they ran on. Options are passed through by name:
//   npm run bench -- --quick               smaller runs (ingest N=1,10; worker K=10,100; system N=1,10;
//                                          latency 2 joins x 15 s per path)
//   npm run bench -- --only latency        run only these benchmarks (ids, comma-separated: ingest,
//                                          worker, system, latency, dashboard, capacity, scale-out, recordings); their sections in
//                                          docs/benchmarks.md are replaced, the others kept
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { ensureDependencies } from '../scripts/ensure-deps.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: options } = parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string' } } });
const quick = options.quick;
const BENCHES = [
  {
    id: 'ingest',
    title: 'Ingest: concurrent RTMP publishers',
    script: 'bench/ingest.ts',
    args: ['--publishers', quick ? '1,10' : '1,10,50', '--seconds', '30'],
  },
  {
    id: 'worker',
    title: 'Worker: upload throughput and overhead (livepeer-local in passthrough mode)',
    script: 'bench/worker.ts',
    args: ['--streams', quick ? '10,100' : '10,100,300', '--workers', '1,2'],
  },
  {
    id: 'system',
    title: 'Whole system: end-to-end latency against a no-relay baseline, and per-app resources',
    script: 'bench/system.ts',
    args: ['--streams', quick ? '1,10' : '1,10,50', '--seconds', '40'],
  },
  {
    id: 'latency',
    title: 'Glass-to-glass latency',
    script: 'bench/latency.ts',
    args: ['--segments', '2,1', '--multipart', 'true,false', '--joins', quick ? '2' : '4', '--join-seconds', quick ? '15' : '20'],
  },
  {
    id: 'dashboard',
    title: 'Dashboard: overview and chart queries at N live streams',
    script: 'bench/dashboard.ts',
    args: ['--streams', quick ? '20' : '20,100', '--minutes', '30', '--rounds', '10'],
  },
  {
    id: 'capacity',
    title: 'Capacity: concurrent streams on one machine (livepeer-local in passthrough mode)',
    script: 'bench/capacity.ts',
    args: ['--streams', quick ? '10,20' : '50,100', '--seconds', quick ? '90' : '180'],
  },
  {
    id: 'scale-out',
    title: 'Scale-out: stitcher and worker copies sharing streams',
    script: 'bench/scale-out.ts',
    args: ['--stitchers', '2', '--workers', '2', '--streams', quick ? '10' : '20', '--seconds', '60'],
  },
  {
    id: 'recordings',
    title: 'Recordings, DVR and thumbnails',
    script: 'bench/recordings.ts',
    args: ['--appends', quick ? '100' : '300', '--thumbnails', quick ? '10' : '20'],
  },
];
const only = options.only?.split(',');
const unknown = only?.filter((id) => !BENCHES.some((b) => b.id === id)) ?? [];
if (unknown.length) {
  console.error(`unknown benchmark ${unknown.join(', ')}; known: ${BENCHES.map((b) => b.id).join(', ')}`);
  process.exit(2);
}
const selected = only ? BENCHES.filter((b) => only.includes(b.id)) : BENCHES;

ensureDependencies(root);
const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { stdio: 'inherit' });

const sections = new Map();
for (const bench of selected) {
  console.log(`\n## ${bench.title}\n`);
  const started = Date.now();
  const result = spawnSync(
    path.join(root, 'node_modules/.bin/vite-node'),
    ['--config', 'vitest.config.ts', bench.script, '--', ...bench.args],
    {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 64 * 1024 * 1024,
    },
  );
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
  sections.set(
    bench.title,
    `## ${bench.title}\n\n\`${command}\` (${((Date.now() - started) / 1000).toFixed(0)} s, commit \`${commit}\`)\n\n${kept}${status}`,
  );
}

const cpu = readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1] ?? 'unknown CPU';
const machine = `${os.cpus().length} cores (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}, Node ${process.version}`;
// With --only, the sections of the benchmarks not run stay as the last full run wrote them.
const docPath = path.join(root, 'docs/benchmarks.md');
const existing = existsSync(docPath) ? readFileSync(docPath, 'utf8') : '';
const previous = only ? existing : '';
const previousSections = new Map(
  previous
    .split(/^(?=## )/m)
    .slice(1)
    .map((section) => [section.slice(3, section.indexOf('\n')).trim(), section.trim()]),
);
// The soak (`npm run soak`, bench/soak.ts) is not one of these runs; its section, written by hand
// from its output, is kept as it is.
const soakSection = existing.split(/^(?=## )/m).find((section) => section.startsWith('## Soak'));
const body = [...BENCHES.map((b) => sections.get(b.title) ?? previousSections.get(b.title)), soakSection?.trim()].filter(Boolean);
const doc = `# Benchmarks

Written by \`npm run bench\` (bench/run.mjs); run it again to refresh this file. Figures are
measurements on a shared machine, not limits: the tests never assert on timings.

- commit: \`${commit}\`${only ? ` (this run: \`--only ${only.join(',')}\`; the other sections are from an earlier run)` : ''}
- machine: ${machine}
- date: ${new Date().toISOString()}

How to reproduce: \`npm run bench\` (or \`npm run bench -- --quick\`; \`--only latency\` for one
section), or one benchmark with the command shown under its heading, after
\`node scripts/build.mjs\`. Each benchmark's source (\`bench/*.ts\`) explains what it measures and how.

${body.join('\n\n')}
`;
writeFileSync(docPath, doc);
console.log('\nwrote docs/benchmarks.md');
