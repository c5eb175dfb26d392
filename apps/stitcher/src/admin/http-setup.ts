import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { getQueueToken } from '@nestjs/bullmq';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Queue } from 'bullmq';
import type { NextFunction, Request, Response } from 'express';
import path from 'node:path';
import { stitcherConfig } from '@lib/config';
import { SEGMENT_UPLOAD_QUEUE } from '@lib/queue';
import { presentedToken, tokenMatches } from './admin-token';

export const BULL_BOARD_PATH = '/api/queues/board';

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
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, config));
}

/** bull-board on the upload queue, behind the admin token (header or the dashboard's cookie). */
export function setupBullBoard(app: NestExpressApplication): void {
  const { adminToken } = stitcherConfig.load();
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  const queue = app.get<Queue>(getQueueToken(SEGMENT_UPLOAD_QUEUE));
  createBullBoard({ queues: [new BullMQAdapter(queue)], serverAdapter });
  app.use(BULL_BOARD_PATH, (req: Request, res: Response, next: NextFunction) => {
    if (tokenMatches(presentedToken(req.headers), adminToken)) return next();
    res.status(401).set('WWW-Authenticate', 'Bearer realm="livepeer-relay admin"').json({ statusCode: 401, message: 'a valid admin token is required' });
  });
  app.use(BULL_BOARD_PATH, serverAdapter.getRouter());
}

/** The dashboard (static HTML+JS next to this file in dist) and hls.js from node_modules, never a CDN. */
export function setupDashboard(app: NestExpressApplication): void {
  const hlsDist = path.dirname(require.resolve('hls.js/dist/hls.min.js'));
  app.useStaticAssets(hlsDist, { prefix: '/vendor/hls/', index: false, maxAge: '1d' });
  app.useStaticAssets(path.join(__dirname, '..', 'dashboard'), { index: 'index.html', maxAge: 0 });
}
