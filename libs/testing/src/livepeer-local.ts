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
