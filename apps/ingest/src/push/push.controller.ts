import { All, Controller, Param, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { PushIngestService } from './push-ingest.service';

/** `PUT /live/{streamKey}/{seq}.ts`: HTTP segment push, as to a Livepeer broadcaster. */
@Controller('live')
export class PushController {
  constructor(private readonly push: PushIngestService) {}

  /** Every method is routed here so that anything but PUT/POST gets go-livepeer's 405. */
  @All(':streamKey/:segment')
  handle(@Req() req: Request, @Res() res: Response, @Param('streamKey') streamKey: string, @Param('segment') segment: string) {
    return this.push.handle(req, res, streamKey, segment);
  }
}
