import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lockfileDrift } from './check-lockfile.mjs';

const root = path.resolve(__dirname, '..');

/** A copy of this repository's package.json and lockfile, with package.json edited. */
function copyWith(edit) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lockfile-check-'));
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  edit(pkg);
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  writeFileSync(path.join(dir, 'package-lock.json'), readFileSync(path.join(root, 'package-lock.json')));
  return dir;
}

describe('lockfile check', () => {
  const dirs = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it("passes for this repository's own files", () => {
    expect(lockfileDrift(root)).toEqual([]);
  });

  it('names a dependency added, removed or re-ranged in package.json only', () => {
    const dir = copyWith((pkg) => {
      pkg.dependencies['left-pad'] = '^1.3.0';
      delete pkg.dependencies.zod;
      pkg.devDependencies.vitest = '^2';
    });
    dirs.push(dir);
    expect(lockfileDrift(dir).sort()).toEqual([
      'dependencies.left-pad ^1.3.0 is not in package-lock.json',
      'dependencies.zod is in package-lock.json but no longer in package.json',
      expect.stringMatching(/^devDependencies\.vitest: package\.json wants \^2, package-lock\.json has /),
    ]);
  });
});
