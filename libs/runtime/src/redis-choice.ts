/**
 * Which Redis `npm start` uses (pure, so the rule is tested without a server):
 * 1. REDIS_URL when set (it must answer);
 * 2. else the Redis at REDIS_HOST:REDIS_PORT (127.0.0.1:6379 by default) when one answers there;
 * 3. else a redis-server of its own on REDIS_PORT, which only works on this machine: a
 *    REDIS_HOST naming another machine that does not answer is an error, not a silent local Redis.
 * Two instances on one machine therefore keep apart by REDIS_PORT alone.
 */
export type RedisChoice =
  | { kind: 'configured'; url: string }
  | { kind: 'running'; url: string }
  | { kind: 'start'; port: number; url: string }
  | { kind: 'unreachable'; url: string; why: string };

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);

export interface RedisChoiceInput {
  url?: string;
  host: string;
  port: number;
}

export async function chooseRedis(input: RedisChoiceInput, reachable: (url: string) => Promise<boolean>): Promise<RedisChoice> {
  if (input.url) {
    return (await reachable(input.url))
      ? { kind: 'configured', url: input.url }
      : { kind: 'unreachable', url: input.url, why: 'REDIS_URL is set but no Redis answers there' };
  }
  const host = input.host.includes(':') ? `[${input.host}]` : input.host;
  const url = `redis://${host}:${input.port}`;
  if (await reachable(url)) return { kind: 'running', url };
  if (!LOCAL_HOSTS.has(input.host)) {
    return { kind: 'unreachable', url, why: `REDIS_HOST=${input.host} is another machine and no Redis answers at ${url}` };
  }
  return { kind: 'start', port: input.port, url: `redis://127.0.0.1:${input.port}` };
}
