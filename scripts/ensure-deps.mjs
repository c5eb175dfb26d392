// Installs the npm dependencies when they are missing or older than the lockfile,
// so `npm start` and `npm test` work on a fresh clone without a separate step.
// `npm ci` is tried first (exact lockfile); when it refuses (some registries
// mirror only this platform's optional packages, so the lockfile cannot list the
// others and `npm ci` calls it out of sync) `npm install` installs the same versions.
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';

function mtime(file) {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

export function ensureDependencies(root) {
  const installed = mtime(path.join(root, 'node_modules/.package-lock.json'));
  if (installed && installed >= mtime(path.join(root, 'package-lock.json')) && installed >= mtime(path.join(root, 'package.json'))) {
    return;
  }
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const run = (args) => spawnSync(npm, args, { cwd: root, stdio: 'inherit' }).status === 0;
  console.log('[setup] installing npm dependencies');
  if (run(['ci', '--no-audit', '--no-fund'])) return;
  console.log('[setup] npm ci refused the lockfile; falling back to npm install');
  if (!run(['install', '--no-audit', '--no-fund'])) {
    console.error('[setup] npm install failed: see above');
    process.exit(1);
  }
}
