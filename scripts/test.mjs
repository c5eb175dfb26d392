#!/usr/bin/env node
// `npm test`: the static checks (lockfile, type check, lint, format), then every
// tier one after the other: unit, medium, integration, end to end. Each tier gets
// only the set-up it needs (see TIERS), so `npm test -- unit` installs and starts
// nothing and takes seconds. Prints the time of each step and ends with one line
// "N passed, N failed" summed from vitest's own JSON reports.
//   npm test                  checks and every tier
//   npm test -- unit medium   those tiers only
//   npm test -- checks        the static checks only
// Any other argument goes to vitest (a file filter, -t "name").
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDependencies } from './ensure-deps.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'test-output');
const bin = (name) => path.join(root, 'node_modules/.bin', name);
mkdirSync(outDir, { recursive: true });

/**
 * What each tier needs before it runs, and how many of its files run at once (media tiers share two cores).
 *   system: 'services'  Redis and PostgreSQL installed and running (the S3 server comes from npm, in process)
 *   system: 'all'       also ffmpeg, Chromium, docker-compose
 *   build               the apps are spawned from dist/
 */
const TIERS = {
  // Pure logic: worker threads start faster than processes.
  unit: { system: null, build: false, vitest: ['--pool=threads', '--maxWorkers=2', '--minWorkers=1'] },
  medium: { system: 'services', build: false, vitest: ['--maxWorkers=2', '--minWorkers=1'] },
  integration: { system: 'all', build: true, vitest: ['--maxWorkers=2', '--minWorkers=1'] },
  e2e: { system: 'all', build: true, vitest: ['--no-file-parallelism', '--maxWorkers=1', '--minWorkers=1'] },
};
const CHECKS = 'checks';
const args = process.argv.slice(2);
const named = args.filter((a) => a in TIERS || a === CHECKS);
const extra = args.filter((a) => !named.includes(a));
const tiers = named.length ? named.filter((a) => a in TIERS) : Object.keys(TIERS);
const runChecks = named.length === 0 || named.includes(CHECKS);

function run(label, command, commandArgs) {
  const started = Date.now();
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit', env: process.env });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`\n[time] ${label}: ${seconds} s (exit ${result.status})\n`);
  return result.status ?? 1;
}

let failedSteps = 0;
const check = (label, command, commandArgs) => {
  if (run(label, command, commandArgs) !== 0) failedSteps++;
};

// A stale lockfile is reported as such before anything is installed from it.
if (run('lockfile check', process.execPath, [path.join(root, 'scripts/check-lockfile.mjs')]) !== 0) process.exit(1);
ensureDependencies(root);

const system = tiers.some((t) => TIERS[t].system === 'all')
  ? '--for-tests'
  : tiers.some((t) => TIERS[t].system === 'services')
    ? '--services'
    : null;
if (system && run('system set-up', 'bash', [path.join(root, 'scripts/setup-system.sh'), system]) !== 0) {
  console.error('system set-up failed: see above');
  process.exit(1);
}
if (tiers.some((t) => TIERS[t].build) && run('build', process.execPath, [path.join(root, 'scripts/build.mjs')]) !== 0) process.exit(1);

if (runChecks) {
  check('type check', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']);
  check('lint', 'npm', ['run', '--silent', 'lint']);
  check('format check', 'npm', ['run', '--silent', 'format:check']);
}

let passed = 0;
let failed = 0;
let skipped = 0;
for (const tier of tiers) {
  const report = path.join(outDir, `${tier}.json`);
  const status = run(`${tier} tests`, bin('vitest'), [
    'run',
    '--project',
    tier,
    '--passWithNoTests',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
    ...TIERS[tier].vitest,
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

const failedChecks = failedSteps ? `, ${failedSteps} step${failedSteps > 1 ? 's' : ''} failed` : '';
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}${failedChecks}`);
process.exit(failed > 0 || failedSteps > 0 ? 1 : 0);
