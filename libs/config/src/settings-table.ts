import { allNamespaces } from './namespaces';

/**
 * The README's settings table, generated from the namespaces so it cannot drift:
 *   node dist/libs/config/src/settings-table.js
 */
export function settingsTable(): string {
  const rows = ['| Variable | Default | Meaning |', '| --- | --- | --- |'];
  for (const ns of allNamespaces) {
    for (const [name, schema] of Object.entries(ns.variables)) {
      const parsed = (schema as { safeParse: (v: unknown) => { success: boolean; data?: unknown } }).safeParse(undefined);
      const value = parsed.success && parsed.data !== undefined ? formatDefault(parsed.data) : '(unset)';
      const meaning = (ns.descriptions as Record<string, string>)[name].replace(/\|/g, '\\|');
      rows.push(`| \`${name}\` | ${value} | ${meaning} |`);
    }
  }
  return rows.join('\n');
}

function formatDefault(value: unknown): string {
  if (Array.isArray(value)) return `\`${value.join(',')}\``;
  return `\`${String(value)}\``;
}

if (require.main === module) console.log(settingsTable());
