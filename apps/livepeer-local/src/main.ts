import { livepeerLocalConfig } from '@lib/config';
import { LIVEPEER_LOCAL_SETTINGS } from './settings';
import { runMain, startApp } from '@lib/observability';
import type { AddressInfo } from 'node:net';

/**
 * livepeer-local: the Livepeer API (LIVEPEER_LOCAL_PORT, default 3004) plus
 * LIVEPEER_LOCAL_BROADCASTERS broadcaster child processes (see broadcaster.main.ts).
 */
runMain(async () => {
  const app = await startApp({
    app: 'livepeer-local',
    config: LIVEPEER_LOCAL_SETTINGS,
    module: async () => (await import('./api/api.module')).ApiModule,
    port: () => livepeerLocalConfig.load().port,
  });
  const { BroadcasterSupervisorService } = await import('./api/broadcaster-supervisor.service');
  const { port } = app.getHttpServer().address() as AddressInfo;
  await app.get(BroadcasterSupervisorService).start(port);
});
