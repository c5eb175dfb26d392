import type { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import type { AddressInfo } from 'node:net';
import { ConfigError, commonConfig, loadAll } from '@lib/config';

export interface StartOptions {
  /** App name used in logs and metrics. */
  app: string;
  /** Settings namespaces checked before anything starts: a bad value stops boot. */
  config: Parameters<typeof loadAll>[0];
  /** Loaded lazily so that config errors are reported before modules evaluate. */
  module: () => Promise<Type<unknown>>;
  /** HTTP port (0 = any free port), read once config is known to be valid. */
  port: () => number;
  /** Extra set-up on the created app (global prefix, static files, swagger...). */
  configure?: (app: NestExpressApplication) => void | Promise<void>;
  /** Parse JSON and form bodies (default true); off for an app whose handlers read raw bodies themselves. */
  bodyParser?: boolean;
}

/** Logs the line tests and the launcher wait for: `"event":"listening"` with the real port. */
export function announceListening(logger: { log: (obj: object, msg: string) => void }, app: string, name: string, port: number) {
  logger.log({ event: 'listening', app, listener: name, port }, `${app} ${name} listening on port ${port}`);
}

/**
 * The one way every app starts: validate settings, create the Nest app with JSON
 * logs, enable shutdown hooks (SIGTERM/SIGINT close queues and connections), listen.
 */
export async function startApp(options: StartOptions): Promise<INestApplication> {
  try {
    loadAll(options.config);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${options.app}: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const module = await options.module();
  const app = await NestFactory.create<NestExpressApplication>(module, { bufferLogs: true, bodyParser: options.bodyParser ?? true });
  const logger = app.get(Logger);
  app.useLogger(logger);
  closeOnSignals(app, logger, options.app);
  app.disable('x-powered-by');
  await options.configure?.(app);
  const { bindHost } = commonConfig.load();
  await app.listen(options.port(), bindHost);
  const address = app.getHttpServer().address() as AddressInfo;
  announceListening(logger, options.app, 'http', address.port);
  return app;
}

/** Longest a graceful stop may take before the process exits anyway (in-flight uploads are bounded by their own timeouts). */
const SHUTDOWN_GRACE_MS = 30_000;

/**
 * SIGTERM/SIGINT: close the app (every module's shutdown hooks run: BullMQ workers
 * finish their jobs, connections close), then exit 0. Running out of the grace
 * period exits with 1. A repeated signal is ignored: under `npm start` Ctrl-C
 * reaches every process of the terminal and the launcher then sends SIGTERM too.
 */
function closeOnSignals(app: INestApplication, logger: Logger, name: string) {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    logger.log({ event: 'stopping', signal }, `${name} stopping on ${signal}`);
    setTimeout(() => {
      logger.error({ event: 'stop-timeout' }, `${name} did not stop within ${SHUTDOWN_GRACE_MS} ms`);
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
    app
      .close()
      .then(() => {
        logger.log({ event: 'stopped' }, `${name} stopped`);
        process.exit(0);
      })
      .catch((err: Error) => {
        logger.error({ event: 'stop-failed', err: err.message }, `${name} failed to stop cleanly`);
        process.exit(1);
      });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/** Top-level runner for main.ts files: an unexpected start-up error exits non-zero with its message. */
export function runMain(start: () => Promise<unknown>): void {
  start().catch((err: unknown) => {
    process.stderr.write(`fatal: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  });
}
