import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { knownVariables } from '@lib/config';

const root = path.resolve(__dirname, '../..');
// merge: the compose file shares app settings through YAML merge keys (<<: *relay-env).
const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true });
const known = knownVariables();
const relayServices = Object.entries(
  compose.services as Record<string, { image?: string; environment?: Record<string, unknown>; ports?: string[] }>,
).filter(([, svc]) => svc.image === 'livepeer-relay:latest');

describe('deployment files', () => {
  it('docker-compose.yml is valid for docker-compose', () => {
    const out = execFileSync('docker-compose', ['-f', path.join(root, 'docker-compose.yml'), 'config', '--quiet'], { encoding: 'utf8' });
    expect(out).toBe('');
  });

  it('runs every app: ingest, worker, stitcher and livepeer-local', () => {
    expect(relayServices.map(([name]) => name).sort()).toEqual(['ingest', 'livepeer-local', 'stitcher', 'worker']);
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['redis', 'minio', 'postgres']));
  });

  it('sets only variables the code reads', () => {
    for (const [name, svc] of relayServices) {
      for (const variable of Object.keys(svc.environment ?? {})) {
        expect(known.has(variable), `${name} sets ${variable}, which no settings namespace reads`).toBe(true);
      }
    }
  });

  it('uses the same default ports as the code', () => {
    for (const [, svc] of relayServices) {
      for (const [variable, value] of Object.entries(svc.environment ?? {})) {
        if (/_PORT$/.test(variable)) expect(Number(value), variable).toBe(known.get(variable));
      }
    }
  });

  it('restarts every app when it crashes and checks its readiness without curl (node fetch on /health/ready)', () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a parsed compose file: its services are checked field by field
    for (const [name, svc] of relayServices as Array<[string, Record<string, any>]>) {
      expect(svc.restart, name).toBe('unless-stopped');
      const port = Object.entries(svc.environment ?? {}).find(([v]) =>
        /^(INGEST|WORKER|STITCHER)_HTTP_PORT$|^LIVEPEER_LOCAL_PORT$/.test(v),
      )![1];
      expect(svc.healthcheck?.test?.slice(0, 3), name).toEqual(['CMD', 'node', '-e']);
      expect(svc.healthcheck.test[3], name).toContain(`http://127.0.0.1:${port}/health/ready`);
      if (name !== 'livepeer-local') expect(svc.depends_on['livepeer-local'], name).toEqual({ condition: 'service_healthy' });
    }
  });

  it('lets workers scale: no published port on the worker service', () => {
    const worker = relayServices.find(([name]) => name === 'worker')![1];
    expect(worker.ports).toBeUndefined();
  });

  it('keeps Redis from evicting queue data and persists it', () => {
    const command: string[] = compose.services.redis.command;
    expect(command.join(' ')).toContain('--maxmemory-policy noeviction');
    expect(command.join(' ')).toContain('--appendonly yes');
  });

  it('documents every setting in the README table', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const missing = [...known.keys()].filter((v) => !readme.includes(`\`${v}\``));
    expect(missing).toEqual([]);
  });
});
