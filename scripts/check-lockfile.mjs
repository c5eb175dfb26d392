#!/usr/bin/env node
// Fails when package-lock.json no longer describes package.json: a dependency was
// added, removed or given another range in package.json without `npm install`
// updating the lockfile. npm records package.json's dependency lists in the
// lockfile's root entry, so comparing the two finds it without network or
// node_modules (instant, and before anything is installed). `npm ci` (in .ci/run)
// does the full check: it refuses a lockfile whose versions miss a range.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'];

/** Differences between package.json and the lockfile's record of it, as readable lines; empty when in sync. */
export function lockfileDrift(root) {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8'));
  const recorded = lock.packages?.[''];
  if (!recorded) return [`package-lock.json has no root entry (lockfileVersion ${lock.lockfileVersion}; npm 7 or later writes one)`];
  const drift = [];
  for (const field of FIELDS) {
    const wanted = pkg[field] ?? {};
    const locked = recorded[field] ?? {};
    for (const name of new Set([...Object.keys(wanted), ...Object.keys(locked)])) {
      if (wanted[name] === locked[name]) continue;
      if (locked[name] === undefined) drift.push(`${field}.${name} ${wanted[name]} is not in package-lock.json`);
      else if (wanted[name] === undefined) drift.push(`${field}.${name} is in package-lock.json but no longer in package.json`);
      else drift.push(`${field}.${name}: package.json wants ${wanted[name]}, package-lock.json has ${locked[name]}`);
    }
  }
  return drift;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const drift = lockfileDrift(root);
  if (drift.length) {
    console.error('package-lock.json is out of sync with package.json:');
    for (const line of drift) console.error(`  - ${line}`);
    console.error('Run `npm install` and commit package-lock.json.');
    process.exit(1);
  }
  console.log('package-lock.json matches package.json');
}
