#!/usr/bin/env node
// `npm start`: installs npm dependencies and missing system packages (first run
// only), builds what
// changed, then runs the launcher (dist/libs/runtime/src/launcher.main.js), which
// starts every app and the embedded services and stops them all on Ctrl-C.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDependencies } from './ensure-deps.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const step = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
ensureDependencies(root);
step('bash', [path.join(root, 'scripts/setup-system.sh')]);
step(process.execPath, [path.join(root, 'scripts/build.mjs'), '--if-stale']);
const launcher = spawn(
  process.execPath,
  ['--enable-source-maps', path.join(root, 'dist/libs/runtime/src/launcher.main.js'), ...process.argv.slice(2)],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
// Ctrl-C reaches the launcher through the terminal's process group; forward TERM too.
process.on('SIGTERM', () => launcher.kill('SIGTERM'));
process.on('SIGINT', () => undefined);
launcher.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
