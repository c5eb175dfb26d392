import path from 'node:path';
import { type ConfigOf, commonConfig, launcherConfig } from '@lib/config';
import { prettyLogLine, resolveLogFormat } from '@lib/observability';
import { ManagedProcess } from './managed-process';
import { repoRoot } from './paths';
import { RunningSystem, startSystem } from './system';

/**
 * `npm start`: the whole relay on this machine. Settings come from the
 * environment (README table); anything not configured runs embedded. A process
 * that crashes is restarted with backoff; one that crash-loops is given up, and the
 * launcher exits 1. Ctrl-C stops every process it started, in data-flow order
 * (docs/architecture.md, "Supervision and shutdown").
 */
async function main() {
  let settings: ConfigOf<typeof launcherConfig>;
  let logFormat: ConfigOf<typeof commonConfig>['logFormat'];
  try {
    settings = launcherConfig.load();
    logFormat = commonConfig.load().logFormat;
  } catch (err) {
    console.error(`[start] ${(err as Error).message}`);
    process.exit(2);
  }
  const quiet = process.argv.includes('--quiet');
  let stopping = false;
  let demo: ManagedProcess | undefined;
  let system: RunningSystem | undefined;
  // Stops in data-flow order once up; during start-up, exiting SIGKILLs what has started.
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('[start] stopping...');
    await demo?.stop();
    await system?.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  const started = Date.now();
  system = await startSystem({
    env: process.env,
    dataDir: path.resolve(repoRoot, settings.dataDir),
    workers: settings.workerCopies,
    echo: !quiet,
    // The apps log JSON into their pipes; LOG_FORMAT (auto: is this a terminal?) decides how it is echoed.
    format: resolveLogFormat(logFormat) === 'pretty' ? prettyLogLine() : undefined,
    log: (line) => console.log(`[start] ${line}`),
    restartPolicy: settings.restartPolicy,
    onGiveUp: (giveUp) => {
      if (giveUp.required) void shutdown(1);
    },
  });
  const { urls } = system;
  const token = process.env.ADMIN_TOKEN ? '(your ADMIN_TOKEN)' : 'relay-admin-dev-token (default; set ADMIN_TOKEN)';
  console.log(`
livepeer-relay is up (${((Date.now() - started) / 1000).toFixed(1)} s)

  Dashboard     ${urls.stitcher}/
  Admin API     ${urls.stitcher}/api   (OpenAPI: ${urls.stitcher}/docs, token: ${token})
  HLS playback  ${urls.stitcher}/hls/{playbackId}/index.m3u8
  RTMP ingest   ${urls.rtmp}/{streamKey}
  HTTP push     PUT ${urls.ingestHttp}/live/{streamKey}/{seq}.ts
  Livepeer API  ${urls.livepeerApi}

Try it:           npm run demo   (creates a stream and publishes a test pattern)
Create a stream:  npm run cli -- streams create --name demo --presets P240p30fps16x9
Stop:             Ctrl-C
`);
  // `npm start -- --demo`: the demo publisher runs beside the system; its end ends nothing else.
  demo = process.argv.includes('--demo')
    ? new ManagedProcess({
        name: 'demo',
        command: process.execPath,
        args: [path.join(repoRoot, 'scripts/demo.mjs'), '--stitcher', urls.stitcher, '--rtmp', urls.rtmp],
        env: process.env,
        echo: true,
      })
    : undefined;
}

main().catch((err) => {
  console.error(`[start] failed: ${err.message ?? err}`);
  process.exit(1);
});
