import { DEV_LIVEPEER_API_KEY } from '@lib/config';
import { LivepeerApiClient } from '@lib/livepeer';
import { spawnApp, type RunningApp } from './apps';
import { waitFor } from './wait-for';

/**
 * A livepeer-local broadcaster's test-facing endpoints: fault injection, the count
 * of pushes it received (exactly-once checks) and its status (pid, mode).
 * The admin endpoints answer on localhost only.
 */
export interface BroadcasterFaults {
  failNext?: number;
  failStatus?: number;
  failBody?: string;
  delayMs?: number;
  hangNext?: number;
  resetNext?: number;
  unhealthy?: boolean;
  /** 200 without renditions even when they were asked for. */
  noParts?: boolean;
}

export async function setFaults(broadcaster: string, faults: BroadcasterFaults): Promise<void> {
  const response = await fetch(`${broadcaster}/admin/faults`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(faults),
  });
  if (response.status !== 200) throw new Error(`setting faults answered ${response.status}: ${await response.text()}`);
}

export async function clearFaults(broadcaster: string): Promise<void> {
  await fetch(`${broadcaster}/admin/faults`, { method: 'DELETE' });
}

export interface PushCounts {
  received: number;
  succeeded: number;
  failed: number;
  /** manifest id -> seq -> pushes received */
  byManifest: Record<string, Record<string, number>>;
}

export async function pushCounts(broadcaster: string): Promise<PushCounts> {
  return (await fetch(`${broadcaster}/admin/pushes`)).json() as Promise<PushCounts>;
}

export async function broadcasterStatus(broadcaster: string): Promise<Record<string, unknown> & { pid: number }> {
  return (await fetch(`${broadcaster}/status`)).json() as Promise<Record<string, unknown> & { pid: number }>;
}

export interface LivepeerLocal {
  app: RunningApp;
  /** e.g. http://127.0.0.1:41234/api */
  apiUrl: string;
  /** The API host: the amalgamated /stream/... playlists. */
  url: string;
  client: LivepeerApiClient;
  /** Broadcaster addresses (sorted), once /api/broadcaster lists every one as healthy. */
  broadcasters: string[];
}

/**
 * Runs the built livepeer-local (API + LIVEPEER_LOCAL_BROADCASTERS broadcaster
 * processes, 2 unless the environment says otherwise) and waits until the API lists
 * every broadcaster as healthy.
 */
export async function startLivepeerLocal(env: NodeJS.ProcessEnv): Promise<LivepeerLocal> {
  const count = Number(env.LIVEPEER_LOCAL_BROADCASTERS ?? 2);
  const app = await spawnApp('livepeer-local', { ...env, LIVEPEER_LOCAL_BROADCASTERS: String(count) });
  const apiUrl = `${app.url}/api`;
  const client = new LivepeerApiClient({ apiUrl, apiKey: DEV_LIVEPEER_API_KEY, timeoutMs: 10_000 });
  const broadcasters = await waitFor(
    async () => {
      const list = await client.listBroadcasters();
      return list.length === count && list.map((b) => b.address).sort();
    },
    { timeoutMs: 60_000, what: `${count} healthy broadcasters` },
  );
  return { app, apiUrl, url: app.url, client, broadcasters };
}
