import { ManagedProcess, distEntry } from '@lib/runtime';

export type AppName = 'ingest' | 'worker' | 'stitcher' | 'livepeer-local';

export interface RunningApp {
  proc: ManagedProcess;
  port: number;
  url: string;
}

/**
 * Runs a built app (`node dist/apps/<name>/src/main.js`, so `node scripts/build.mjs`
 * must have run) and waits for its HTTP listener. Use with TestEnv.processEnv().
 */
export async function spawnApp(
  name: AppName,
  env: NodeJS.ProcessEnv,
  options: { label?: string; entry?: string; args?: string[] } = {},
): Promise<RunningApp> {
  const proc = new ManagedProcess({
    name: options.label ?? name,
    command: process.execPath,
    args: ['--enable-source-maps', distEntry(`apps/${name}/src/${options.entry ?? 'main'}`), ...(options.args ?? [])],
    env,
    echo: process.env.TEST_ECHO === '1',
  });
  const port = await proc.waitForListening('http', 60_000);
  return { proc, port, url: `http://127.0.0.1:${port}` };
}
