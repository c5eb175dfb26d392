#!/usr/bin/env node
// Rewrites the settings table of README.md (between the settings markers) from
// the settings namespaces in libs/config, so the table always matches the code.
// Run after `node scripts/build.mjs`. The result goes through Prettier, so that
// `npm run format:check` accepts the generated table as it is.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { settingsTable } = require(path.join(root, 'dist/libs/config/src/settings-table.js'));
const file = path.join(root, 'README.md');
const readme = readFileSync(file, 'utf8');
const start = '<!-- settings:start -->';
const end = '<!-- settings:end -->';
const [before, rest] = readme.split(start);
const after = rest.split(end)[1];
const prettier = await import('prettier');
const text = `${before}${start}\n${settingsTable()}\n${end}${after}`;
writeFileSync(file, await prettier.format(text, { ...(await prettier.resolveConfig(file)), filepath: file }));
console.log('README.md settings table updated');
