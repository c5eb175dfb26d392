import type { ValueTransformer } from 'typeorm';

/**
 * Times are stored as epoch milliseconds in BIGINT columns: one portable type on
 * PostgreSQL and SQLite, and the unit every latency figure is computed in.
 * node-postgres returns BIGINT as a string; this turns it back into a number.
 */
export const epochMs: ValueTransformer = {
  to: (value?: number | null) => value,
  from: (value?: string | number | null) => (value === null || value === undefined ? value : Number(value)),
};
