import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ingestConfig } from './ingest';

describe('INGEST_SPOOL_DIR', () => {
  const saved = process.env.DATA_DIR;
  afterEach(() => {
    if (saved === undefined) delete process.env.DATA_DIR;
    else process.env.DATA_DIR = saved;
  });

  it('defaults under DATA_DIR, so two instances with their own DATA_DIR never share a spool', () => {
    process.env.DATA_DIR = '/srv/relay-a';
    expect(ingestConfig.load({}).spoolDir).toBe(path.resolve('/srv/relay-a', 'ingest-spool'));
    process.env.DATA_DIR = '/srv/relay-b';
    expect(ingestConfig.load({}).spoolDir).toBe(path.resolve('/srv/relay-b', 'ingest-spool'));
  });

  it('is the given folder when set', () => {
    expect(ingestConfig.load({ INGEST_SPOOL_DIR: '/tmp/x' }).spoolDir).toBe('/tmp/x');
  });
});
