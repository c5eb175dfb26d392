import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { BroadcasterStatus } from './broadcaster-status';

/** Public status, like go-livepeer's /status: 503 while marked unhealthy. */
@Controller()
export class StatusController {
  constructor(private readonly status: BroadcasterStatus) {}

  @Get('status')
  get(@Res() res: Response) {
    res.status(this.status.healthy ? 200 : 503).json(this.status.summary());
  }
}
