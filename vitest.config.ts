import path from 'node:path';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';
import tsconfig from './tsconfig.json';

// The @lib/* aliases come from tsconfig.json so there is one list of them.
const alias = Object.fromEntries(
  Object.entries(tsconfig.compilerOptions.paths).map(([name, [target]]) => [name, path.resolve(__dirname, target)]),
);

// SWC keeps decorator metadata, which Nest's dependency injection needs (esbuild drops it).
const plugins = [swc.vite({ module: { type: 'es6' } })];

// Four tiers, chosen by file name. scripts/test.mjs runs them one after the other and
// sets how many files of a tier run at once (media tiers: one at a time, two cores).
export default defineConfig({
  plugins,
  resolve: { alias },
  test: {
    globals: true,
    reporters: ['default'],
    projects: [
      {
        plugins,
        resolve: { alias },
        test: {
          name: 'unit',
          globals: true,
          include: ['apps/**/*.spec.ts', 'libs/**/*.spec.ts', 'deploy/**/*.spec.ts', 'scripts/**/*.spec.mjs'],
          exclude: ['**/*.int-spec.ts', '**/*.medium-spec.ts', '**/*.e2e-spec.ts', 'node_modules/**', 'dist/**'],
        },
      },
      {
        plugins,
        resolve: { alias },
        test: {
          // Services in process against real PostgreSQL/SQLite, Redis and S3, driven by a fake clock.
          name: 'medium',
          globals: true,
          include: ['apps/**/*.medium-spec.ts', 'libs/**/*.medium-spec.ts', 'test/**/*.medium-spec.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        plugins,
        resolve: { alias },
        test: {
          name: 'integration',
          globals: true,
          include: ['apps/**/*.int-spec.ts', 'libs/**/*.int-spec.ts', 'test/integration/**/*.int-spec.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        plugins,
        resolve: { alias },
        test: {
          name: 'e2e',
          globals: true,
          include: ['test/e2e/**/*.e2e-spec.ts'],
          testTimeout: 600_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
