import { workerConfig } from '@lib/config';
import { runMain, startApp } from '@lib/observability';
import { WORKER_SETTINGS } from './settings';

runMain(() =>
  startApp({
    app: 'worker',
    config: WORKER_SETTINGS,
    module: async () => (await import('./app.module')).AppModule,
    port: () => workerConfig.load().httpPort,
  }),
);
