import { ConfigError, loadAll } from './define-config';
import {
  databaseConfig,
  livepeerConfig,
  redisConfig,
  s3Config,
  stitcherConfig,
  workerConfig,
  allNamespaces,
  launcherConfig,
} from './namespaces';

describe('settings', () => {
  it('has a working default for every variable on one machine', () => {
    expect(() => loadAll(allNamespaces, {})).not.toThrow();
    expect(redisConfig.load({})).toEqual({ url: 'redis://127.0.0.1:6379', prefix: 'lr' });
    expect(databaseConfig.load({}).type).toBe('sqlite');
  });

  it('derives the playback URL from the API URL unless set', () => {
    expect(livepeerConfig.load({ LIVEPEER_API_URL: 'https://lp.example/api/' }).playbackUrl).toBe('https://lp.example');
    expect(livepeerConfig.load({ LIVEPEER_PLAYBACK_URL: 'http://cdn:1' }).playbackUrl).toBe('http://cdn:1');
  });

  it('parses S3 endpoints into client options', () => {
    const s3 = s3Config.load({ S3_ENDPOINT: 'https://minio.internal:9443' });
    expect(s3).toMatchObject({ host: 'minio.internal', port: 9443, useSSL: true });
  });

  it('recognises postgres URLs', () => {
    expect(databaseConfig.load({ DATABASE_URL: 'postgres://u@h/db', DATABASE_SCHEMA: 'relay' })).toMatchObject({
      type: 'postgres',
      schema: 'relay',
    });
  });

  it('reports every bad variable by name, at once', () => {
    let error: ConfigError | undefined;
    try {
      loadAll([workerConfig, redisConfig, stitcherConfig], {
        WORKER_CONCURRENCY: 'lots',
        WORKER_HTTP_PORT: '70000',
        REDIS_URL: 'http://nope',
        PLAYLIST_WINDOW_SEGMENTS: '2',
      });
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const vars = error!.problems.map((p) => p.split('=')[0]);
    expect(vars.sort()).toEqual(['PLAYLIST_WINDOW_SEGMENTS', 'REDIS_URL', 'WORKER_CONCURRENCY', 'WORKER_HTTP_PORT']);
    expect(error!.message).toContain('WORKER_HTTP_PORT="70000"');
  });

  it('never prints a secret value in its error', () => {
    expect(() => stitcherConfig.load({ ADMIN_TOKEN: 'short' })).toThrow(/ADMIN_TOKEN=\(hidden\)/);
  });

  it('accepts 0 as "any free port" and treats empty strings as unset', () => {
    expect(workerConfig.load({ WORKER_HTTP_PORT: '0' }).httpPort).toBe(0);
    expect(workerConfig.load({ WORKER_HTTP_PORT: '' }).httpPort).toBe(8082);
  });

  it('describes every variable (the README table is built from these)', () => {
    for (const ns of allNamespaces) {
      for (const name of Object.keys(ns.variables)) {
        expect((ns.descriptions as Record<string, string>)[name], name).toMatch(/\w{3,}/);
      }
    }
  });
});

describe('launcher settings', () => {
  it('defaults the restart policy and the embedded S3 server to loopback', () => {
    const settings = launcherConfig.load({});
    expect(settings.restartPolicy).toEqual({
      backoffMs: 500,
      backoffMaxMs: 10_000,
      resetAfterMs: 30_000,
      crashLoopCount: 5,
      crashLoopWindowMs: 60_000,
    });
    expect(settings.s3BindHost).toBe('127.0.0.1');
  });

  it('refuses a bad restart policy or bind address, naming the variable', () => {
    expect(() => launcherConfig.load({ RESTART_BACKOFF_MS: '2000', RESTART_BACKOFF_MAX_MS: '1000' })).toThrow(
      /RESTART_BACKOFF_MAX_MS=1000: must be at least RESTART_BACKOFF_MS/,
    );
    expect(() => launcherConfig.load({ CRASH_LOOP_CRASHES: '0' })).toThrow(/CRASH_LOOP_CRASHES/);
    expect(() => launcherConfig.load({ S3_BIND_HOST: 'not a host' })).toThrow(/S3_BIND_HOST/);
    expect(launcherConfig.load({ S3_BIND_HOST: '0.0.0.0' }).s3BindHost).toBe('0.0.0.0');
  });
});
