import { stitcherConfig } from '@lib/config';
import { runMain, startApp } from '@lib/observability';
import { STITCHER_SETTINGS } from './settings';

runMain(() =>
  startApp({
    app: 'stitcher',
    config: STITCHER_SETTINGS,
    module: async () => (await import('./app.module')).AppModule,
    port: () => stitcherConfig.load().httpPort,
    configure: async (app) => {
      const { setupBullBoard, setupDashboard, setupOpenApi, setupSecurityHeaders } = await import('./admin/http-setup');
      setupSecurityHeaders(app);
      setupOpenApi(app);
      setupBullBoard(app);
      setupDashboard(app);
    },
  }),
);
