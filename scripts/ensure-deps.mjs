// Installs the npm dependencies when they are missing or older than the lockfile,
// so `npm start` and `npm test` work on a fresh clone without a separate step.
// Only `npm ci` (exactly the lockfile): a lockfile that no longer matches
// package.json stops here with the reason, instead of being rewritten by a
// silent `npm install` on one machine and failing on the next.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { lockfileDrift } from './check-lockfile.mjs';

function mtime(file) {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/** Written after each install: the hash of the lockfile installed. */
const INSTALLED_LOCK = 'node_modules/.livepeer-relay-lock.sha256';

function lockHash(root) {
  return createHash('sha256')
    .update(readFileSync(path.join(root, 'package-lock.json')))
    .digest('hex');
}

/**
 * Current when node_modules was installed from this very lockfile (its hash), so a fresh
 * checkout whose files are newer than the install (git sets mtimes at checkout) does not
 * reinstall. Without the hash file (an install made by hand), npm's own
 * node_modules/.package-lock.json newer than package-lock.json counts as current.
 * package.json alone does not count (editing a script must not reinstall); a dependency
 * changed there without the lockfile is the drift reported below.
 */
function installIsCurrent(root) {
  try {
    return readFileSync(path.join(root, INSTALLED_LOCK), 'utf8').trim() === lockHash(root);
  } catch {
    const installed = mtime(path.join(root, 'node_modules/.package-lock.json'));
    return installed > 0 && installed >= mtime(path.join(root, 'package-lock.json'));
  }
}

export function ensureDependencies(root) {
  const drift = lockfileDrift(root);
  if (!drift.length && installIsCurrent(root)) return;
  if (drift.length) {
    console.error(`[setup] package-lock.json is out of sync with package.json:\n${drift.map((l) => `  - ${l}`).join('\n')}`);
    console.error('[setup] run `npm install` and commit package-lock.json');
    process.exit(1);
  }
  console.log('[setup] installing npm dependencies (npm ci)');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  if (spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' }).status !== 0) {
    console.error('[setup] npm ci failed: see above');
    process.exit(1);
  }
  writeFileSync(path.join(root, INSTALLED_LOCK), `${lockHash(root)}\n`);
}
