import { describe, expect, it } from 'vitest';
import { chooseRedis } from './redis-choice';

const answering =
  (...urls: string[]) =>
  async (url: string) =>
    urls.includes(url);

describe('chooseRedis', () => {
  it('uses REDIS_URL when it answers, and says so when it does not', async () => {
    expect(await chooseRedis({ url: 'redis://r:1', host: '127.0.0.1', port: 6379 }, answering('redis://r:1'))).toEqual({
      kind: 'configured',
      url: 'redis://r:1',
    });
    expect((await chooseRedis({ url: 'redis://r:1', host: '127.0.0.1', port: 6379 }, answering())).kind).toBe('unreachable');
  });

  it('looks at REDIS_PORT, not 6379, when REDIS_PORT is set', async () => {
    const seen: string[] = [];
    const choice = await chooseRedis({ host: '127.0.0.1', port: 6390 }, async (url) => {
      seen.push(url);
      return url === 'redis://127.0.0.1:6379';
    });
    expect(seen).toEqual(['redis://127.0.0.1:6390']);
    expect(choice).toEqual({ kind: 'start', port: 6390, url: 'redis://127.0.0.1:6390' });
  });

  it('uses a Redis already answering on REDIS_HOST:REDIS_PORT', async () => {
    expect(await chooseRedis({ host: '127.0.0.1', port: 6390 }, answering('redis://127.0.0.1:6390'))).toEqual({
      kind: 'running',
      url: 'redis://127.0.0.1:6390',
    });
    expect(await chooseRedis({ host: 'redis.internal', port: 7000 }, answering('redis://redis.internal:7000'))).toEqual({
      kind: 'running',
      url: 'redis://redis.internal:7000',
    });
  });

  it('never starts a local Redis in place of another machine that does not answer', async () => {
    const choice = await chooseRedis({ host: 'redis.internal', port: 7000 }, answering());
    expect(choice.kind).toBe('unreachable');
  });
});
