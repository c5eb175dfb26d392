#!/usr/bin/env node
// `npm test`: every tier, one after the other: unit, medium, integration, end to end.
// Sets up what the tests need first (system packages, build), prints the time of
// each tier, and ends with one line "N passed, N failed" summed from vitest's own
// JSON reports. `npm test -- unit` (or medium, integration, e2e) runs one tier.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDependencies } from './ensure-deps.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'test-output');
mkdirSync(outDir, { recursive: true });

// How many test files of a tier run at once: media tiers share two cores.
const TIERS = {
  unit: [],
  medium: ['--maxWorkers=2', '--minWorkers=1'],
  integration: ['--maxWorkers=2', '--minWorkers=1'],
  e2e: ['--no-file-parallelism', '--maxWorkers=1', '--minWorkers=1'],
};
const requested = process.argv.slice(2).filter((a) => a in TIERS);
const extra = process.argv.slice(2).filter((a) => !(a in TIERS));
const tiers = requested.length ? requested : Object.keys(TIERS);

function run(label, command, args) {
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: process.env });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`\n[time] ${label}: ${seconds} s (exit ${result.status})\n`);
  return result.status ?? 1;
}

ensureDependencies(root);
let failedSteps = 0;
if (run('system set-up', 'bash', [path.join(root, 'scripts/setup-system.sh'), '--for-tests']) !== 0) {
  console.error('system set-up failed: see above');
  process.exit(1);
}
if (run('build', process.execPath, [path.join(root, 'scripts/build.mjs')]) !== 0) process.exit(1);
if (!tiers.every((t) => t === 'unit') || requested.length === 0) {
  failedSteps += run('type check', path.join(root, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json', '--noEmit']) === 0 ? 0 : 1;
}

let passed = 0;
let failed = 0;
let skipped = 0;
for (const tier of tiers) {
  const report = path.join(outDir, `${tier}.json`);
  const status = run(`${tier} tests`, path.join(root, 'node_modules/.bin/vitest'), [
    'run',
    '--project',
    tier,
    '--passWithNoTests',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
    ...TIERS[tier],
    ...extra,
  ]);
  if (existsSync(report)) {
    const r = JSON.parse(readFileSync(report, 'utf8'));
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    skipped += r.numPendingTests + (r.numTodoTests ?? 0);
    // A file that failed to load counts as a failure even though no test in it ran.
    const brokenFiles = r.testResults.filter((f) => f.status === 'failed' && f.assertionResults.length === 0).length;
    failed += brokenFiles;
  } else if (status !== 0) {
    failed += 1;
  }
  if (status !== 0) failedSteps++;
}

console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || failedSteps > 0 ? 1 : 0);
