import { livepeerLocalConfig } from '@lib/config';
import { LIVEPEER_LOCAL_SETTINGS } from './settings';
import { runMain, startApp } from '@lib/observability';
import type { AddressInfo } from 'node:net';

/**
 * livepeer-local: the Livepeer API (LIVEPEER_LOCAL_PORT, default 3004) plus
 * LIVEPEER_LOCAL_BROADCASTERS broadcaster child processes (see broadcaster.main.ts); with
 * LIVEPEER_LOCAL_MODE=broadcasters only the children (and health on LIVEPEER_LOCAL_PORT).
 */
runMain(async () => {
  const app = await startApp({
    app: 'livepeer-local',
    config: LIVEPEER_LOCAL_SETTINGS,
    module: async () => {
      const modules = await import('./api/api.module');
      return livepeerLocalConfig.load().mode === 'broadcasters' ? modules.BroadcastersOnlyModule : modules.ApiModule;
    },
    port: () => livepeerLocalConfig.load().port,
  });
  const { BroadcasterSupervisorService } = await import('./api/broadcaster-supervisor.service');
  const { port } = app.getHttpServer().address() as AddressInfo;
  await app.get(BroadcasterSupervisorService).start(port);
});
