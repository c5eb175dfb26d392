/**
 * What `npm start` runs for transcoding (pure, tested without processes):
 * - `local`: no LIVEPEER_API_URL: livepeer-local, API and broadcasters;
 * - `outside`: LIVEPEER_API_URL names another API, whose broadcasters do the work: nothing local;
 * - `broadcasters`: LIVEPEER_API_URL plus LIVEPEER_LOCAL_MODE=broadcasters: livepeer-local's
 *   broadcasters only, asking the outside API's hook (`{api}/stream/hook`, docs/livepeer-protocol.md
 *   §3.4, or LIVEPEER_LOCAL_HOOK_URL when set) about new streams. The outside API must list them
 *   (their addresses are printed): the relay's workers find broadcasters through it.
 */
export type TranscodingPlan = { kind: 'local' } | { kind: 'outside' } | { kind: 'broadcasters'; hookUrl: string };

export function transcodingPlan(env: NodeJS.ProcessEnv): TranscodingPlan {
  const apiUrl = env.LIVEPEER_API_URL?.trim();
  const broadcastersOnly = env.LIVEPEER_LOCAL_MODE === 'broadcasters';
  if (!apiUrl) {
    if (broadcastersOnly)
      throw new Error('LIVEPEER_LOCAL_MODE=broadcasters needs LIVEPEER_API_URL: the outside Livepeer API the broadcasters serve');
    return { kind: 'local' };
  }
  if (!broadcastersOnly) return { kind: 'outside' };
  return { kind: 'broadcasters', hookUrl: env.LIVEPEER_LOCAL_HOOK_URL || `${apiUrl.replace(/\/+$/, '')}/stream/hook` };
}
