import { livepeerLocalConfig } from '@lib/config';
import { LIVEPEER_LOCAL_SETTINGS } from './settings';
import { runMain, startApp } from '@lib/observability';

/**
 * One broadcaster process. The API process starts LIVEPEER_LOCAL_BROADCASTERS of these (each
 * with its own port, region and hook URL), but one can also run alone:
 *   LIVEPEER_LOCAL_BROADCASTER_PORT=8940 node dist/apps/livepeer-local/src/broadcaster.main.js [--faults failNext=2]
 */
const PARENT_PID_VARIABLE = 'LIVEPEER_LOCAL_PARENT_PID';

/**
 * A child must not outlive its API process, even when that one is SIGKILLed and cannot stop it:
 * exit once the parent is gone.
 */
function exitWithParent() {
  const parent = Number(process.env[PARENT_PID_VARIABLE]);
  if (!parent) return;
  const timer = setInterval(() => {
    try {
      process.kill(parent, 0);
    } catch {
      process.stderr.write(`livepeer-broadcaster: parent ${parent} is gone, exiting\n`);
      process.exit(0);
    }
    if (process.ppid !== parent) process.exit(0);
  }, 1000);
  timer.unref();
}

runMain(async () => {
  exitWithParent();
  await startApp({
    app: 'livepeer-broadcaster',
    config: LIVEPEER_LOCAL_SETTINGS,
    module: async () => (await import('./broadcaster/broadcaster.module')).BroadcasterModule,
    port: () => livepeerLocalConfig.load().broadcasterPort,
    configure: async (app) => {
      const { pushBodyMiddleware } = await import('./broadcaster/request-body');
      app.use('/live', pushBodyMiddleware(livepeerLocalConfig.load().maxSegmentBytes));
    },
  });
});
