// Installs the npm dependencies when they are missing or older than the lockfile,
// so `npm start` and `npm test` work on a fresh clone without a separate step.
// Only `npm ci` (exactly the lockfile): a lockfile that no longer matches
// package.json stops here with the reason, instead of being rewritten by a
// silent `npm install` on one machine and failing on the next.
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import { lockfileDrift } from './check-lockfile.mjs';

function mtime(file) {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * npm writes node_modules/.package-lock.json at the end of every install: newer than
 * package-lock.json means current. package.json alone does not count (editing a
 * script must not reinstall); a dependency changed there without the lockfile is
 * the drift reported below.
 */
function installIsCurrent(root) {
  const installed = mtime(path.join(root, 'node_modules/.package-lock.json'));
  return installed > 0 && installed >= mtime(path.join(root, 'package-lock.json'));
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
}
