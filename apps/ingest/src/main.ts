import { ingestConfig } from '@lib/config';
import { runMain, startApp } from '@lib/observability';
import { INGEST_SETTINGS } from './settings';

runMain(() =>
  startApp({
    app: 'ingest',
    config: INGEST_SETTINGS,
    module: async () => (await import('./app.module')).AppModule,
    port: () => ingestConfig.load().httpPort,
    // A push body is the segment, whatever Content-Type the pusher sends: no parser may consume it first.
    bodyParser: false,
  }),
);
