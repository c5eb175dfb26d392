import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { getQueueToken } from '@nestjs/bullmq';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Queue } from 'bullmq';
import type { NextFunction, Request, Response } from 'express';
import path from 'node:path';
import { SEGMENT_UPLOAD_QUEUE, WEBHOOK_DELIVERY_QUEUE, lifecycleEventSchema } from '@lib/queue';
import { EVENT_TYPE_HEADER, IDEMPOTENCY_HEADER, SIGNATURE_HEADER } from '@lib/webhooks';
import { openApiSchema } from './openapi-schema';
import { ADMIN_REALM, AdminAuthenticator, type AdminRefusal } from './admin-authenticator';
import { securityHeaders } from './security-headers';

export const BULL_BOARD_PATH = '/api/queues/board';
const OPENAPI_PATH = '/docs';

/** Security headers (security-headers.ts) on everything registered after this. */
export function setupSecurityHeaders(app: NestExpressApplication): void {
  app.use(securityHeaders([OPENAPI_PATH, BULL_BOARD_PATH]));
}

/** The OpenAPI document of the admin API, served at /docs (JSON at /docs-json). */
export function setupOpenApi(app: NestExpressApplication): void {
  const config = new DocumentBuilder()
    .setTitle('livepeer-relay admin API')
    .setDescription(
      'Streams, sessions, segments, broadcasters and queues of the relay. Every call needs `Authorization: Bearer <ADMIN_TOKEN>`; ' +
        'invalid input answers 400 with `errors` mapping each field to its problems.',
    )
    .setVersion('1')
    .addBearerAuth()
    .addTag(
      'webhooks',
      `Each delivery is a POST of one LifecycleEvent (schema below) with \`${SIGNATURE_HEADER}: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">\`, ` +
        `\`${IDEMPOTENCY_HEADER}: <event id>\` and \`${EVENT_TYPE_HEADER}: <type>\`; retried with exponential backoff until a 2xx, in order per stream.`,
    )
    .build();
  SwaggerModule.setup(OPENAPI_PATH.slice(1), app, () => {
    const document = SwaggerModule.createDocument(app, config);
    // The webhook bodies are no route's answer: published as a component so receivers can validate against it.
    document.components = {
      ...document.components,
      schemas: { ...document.components?.schemas, LifecycleEvent: openApiSchema(lifecycleEventSchema) },
    };
    return document;
  });
}

/**
 * bull-board on the upload and webhook queues, behind the admin token or an API key: the header, or the dashboard's
 * cookie (its pages are opened by navigation), the cookie only for same-origin changes.
 */
export function setupBullBoard(app: NestExpressApplication): void {
  const authenticator = app.get(AdminAuthenticator);
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  const queues = [SEGMENT_UPLOAD_QUEUE, WEBHOOK_DELIVERY_QUEUE].map((name) => new BullMQAdapter(app.get<Queue>(getQueueToken(name))));
  createBullBoard({ queues, serverAdapter });
  app.use(BULL_BOARD_PATH, (req: Request, res: Response, next: NextFunction) => {
    authenticator.check(req, { cookie: true }).then((refusal) => {
      if (!refusal) return next();
      refuse(res, refusal);
    }, next);
  });
  app.use(BULL_BOARD_PATH, serverAdapter.getRouter());
}

function refuse(res: Response, refusal: AdminRefusal): void {
  if (refusal.status === 401) res.set('WWW-Authenticate', ADMIN_REALM);
  if (refusal.retryAfter !== undefined) res.set('Retry-After', String(refusal.retryAfter));
  res.status(refusal.status).json({ statusCode: refusal.status, message: refusal.message });
}

/** The dashboard (static HTML+JS next to this file in dist), hls.js and uPlot from node_modules, never a CDN. */
export function setupDashboard(app: NestExpressApplication): void {
  const hlsDist = path.dirname(require.resolve('hls.js/dist/hls.min.js'));
  app.useStaticAssets(hlsDist, { prefix: '/vendor/hls/', index: false, maxAge: '1d' });
  const uplotDist = path.dirname(require.resolve('uplot/dist/uPlot.iife.min.js'));
  app.useStaticAssets(uplotDist, { prefix: '/vendor/uplot/', index: false, maxAge: '1d' });
  app.useStaticAssets(path.join(__dirname, '..', 'dashboard'), { index: 'index.html', maxAge: 0 });
}
