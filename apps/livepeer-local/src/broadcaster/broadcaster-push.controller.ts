import { All, Controller, Logger, OnApplicationShutdown, Req, Res } from '@nestjs/common';
import { ConfigOf, InjectConfig, livepeerLocalConfig } from '@lib/config';
import { MULTIPART_MIXED, PUSH_HEADERS } from '@lib/livepeer';
import type { Request, Response } from 'express';
import { randomBytes } from 'node:crypto';
import { FaultsService } from './faults.service';
import { buildMultipart } from './multipart-writer';
import { BroadcasterHttpError } from './broadcaster-http-error';
import { sendText } from './http-text';
import { PushOutcome, PushService } from './push.service';
import { PushStatsService } from './push-stats.service';
import { MAX_DURATION_MS, parseDuration, parsePushPath } from './broadcaster-push-request';
import { pushBody } from './request-body';

/**
 * The broadcaster's HTTP push ingest (docs/livepeer-protocol.md §2.2, go-livepeer HandlePush), with the injected
 * faults applied first. Raw request/response on purpose: a fault may reset the connection or
 * never answer.
 */
@Controller()
export class BroadcasterPushController implements OnApplicationShutdown {
  private readonly logger = new Logger('PushIngest');
  /** pushes held open by the "hang" fault, closed on shutdown so the process can exit */
  private readonly hung = new Set<Response>();

  constructor(
    @InjectConfig(livepeerLocalConfig) private readonly config: ConfigOf<typeof livepeerLocalConfig>,
    private readonly pushes: PushService,
    private readonly faults: FaultsService,
    private readonly stats: PushStatsService,
  ) {}

  onApplicationShutdown() {
    for (const res of this.hung) res.socket?.destroy();
    this.hung.clear();
  }

  @All(['live', 'live/{*path}'])
  async push(@Req() req: Request, @Res() res: Response): Promise<void> {
    const target = parsePushPath(req.path);
    this.stats.received(target?.manifestId, target?.seq);

    const fault = this.faults.take();
    if (fault.kind === 'reset') {
      this.logger.warn({ event: 'fault', fault: 'reset', ...target }, 'injected fault: connection reset');
      this.stats.finished('reset');
      req.socket.destroy();
      return;
    }

    try {
      if (req.method !== 'PUT' && req.method !== 'POST') throw new BroadcasterHttpError(405, 'Method not allowed');
      if (!target) throw new BroadcasterHttpError(400, `Bad URL: expected /live/{manifestID}/{seq}.ts`);
      const body = await pushBody(req, this.config.maxSegmentBytes);

      if (fault.kind === 'hang') {
        this.logger.warn({ event: 'fault', fault: 'hang', ...target }, 'injected fault: push left unanswered');
        this.stats.finished('hang');
        this.hung.add(res);
        res.on('close', () => this.hung.delete(res));
        return;
      }
      const { delayMs } = this.faults.current;
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      if (fault.kind === 'fail') {
        this.logger.warn({ event: 'fault', fault: 'fail', status: fault.status, ...target }, `injected fault: ${fault.status}`);
        throw new BroadcasterHttpError(fault.status, fault.body);
      }

      const durationMs = parseDuration(req.header(PUSH_HEADERS.duration));
      if (durationMs < 0 || durationMs > MAX_DURATION_MS) {
        throw new BroadcasterHttpError(500, `Invalid segment duration ${durationMs} ms (must be 0..${MAX_DURATION_MS})`);
      }
      const outcome = await this.pushes.handle({
        externalId: target.manifestId,
        seq: target.seq,
        durationMs,
        resolution: req.header(PUSH_HEADERS.resolution)?.trim() || undefined,
        body,
        url: `${req.protocol}://${req.get('host')}${req.originalUrl}`,
      });
      this.stats.finished('ok');
      // go-livepeer compares the header as a whole: only exactly "multipart/mixed" gets the parts.
      if (req.header('accept') === MULTIPART_MIXED && !this.faults.current.noParts) this.sendMultipart(res, target.seq, outcome);
      else res.status(200).end();
    } catch (err) {
      const status = err instanceof BroadcasterHttpError ? err.status : 500;
      const message = err instanceof Error ? err.message : String(err);
      if (!(err instanceof BroadcasterHttpError)) this.logger.error({ event: 'push-error', err }, message);
      else if (status >= 500) this.logger.warn({ event: 'push-failed', status, ...target }, message);
      this.stats.finished(status);
      sendText(res, status, message);
    }
  }

  /** One part per profile in profile order; the source is not included (docs/livepeer-protocol.md §2.2). */
  private sendMultipart(res: Response, seq: number, outcome: PushOutcome) {
    const boundary = randomBytes(15).toString('hex');
    const body = buildMultipart(
      outcome.profiles.map((profile, i) => {
        const filename = `${profile.name}_${seq}.ts`;
        return {
          headers: {
            'Content-Type': `video/mp2t; name="${filename}"`,
            'Content-Length': String(outcome.renditions[i].length),
            'Content-Disposition': `attachment; filename="${filename}"`,
            [PUSH_HEADERS.renditionName]: profile.name,
          },
          body: outcome.renditions[i],
        };
      }),
      boundary,
    );
    res.setHeader('Content-Type', `multipart/mixed; boundary=${boundary}`);
    res.status(200).end(body);
  }
}
