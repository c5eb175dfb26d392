import { Controller, Get, HttpCode, Post, Query, Res, UnauthorizedException, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AdminAuthGuard } from './admin-auth.guard';
import { EventTickets } from './event-tickets';
import { openApiSchema } from './openapi-schema';
import { OverviewFeed, OverviewQuery, type OverviewSnapshot } from './overview.service';
import { eventStreamQuerySchema, eventTicketSchema, overviewSnapshotSchema } from './schemas';
import { ZodValidationPipe } from './zod-validation.pipe';

/** A comment line now and then keeps proxies from closing a quiet stream. */
const HEARTBEAT_MS = 15_000;
/** How long EventSource waits before reconnecting after a dropped connection. */
const RETRY_MS = 3000;

@ApiTags('events')
@Controller('api')
export class EventsController {
  constructor(
    private readonly tickets: EventTickets,
    private readonly feed: OverviewFeed,
    private readonly overview: OverviewQuery,
  ) {}

  @Post('events/ticket')
  @HttpCode(200)
  @UseGuards(AdminAuthGuard)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'A short-lived ticket that opens the event stream (EventSource cannot send the bearer token)' })
  @ApiResponse({ status: 200, schema: openApiSchema(eventTicketSchema) })
  @ApiResponse({ status: 401, description: 'missing or wrong bearer token' })
  ticket() {
    return this.tickets.issue();
  }

  @Get('overview')
  @UseGuards(AdminAuthGuard)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Every live stream as the overview shows it (the same document the event stream sends)' })
  @ApiResponse({ status: 200, schema: openApiSchema(overviewSnapshotSchema) })
  @ApiResponse({ status: 401, description: 'missing or wrong bearer token' })
  snapshot() {
    return this.overview.snapshot();
  }

  @Get('events')
  @ApiOperation({
    summary: 'Server-sent events: `overview` (the GET /api/overview document) every 2 s while connected',
    description: 'Authenticated by the `ticket` query parameter (POST /api/events/ticket), checked when the stream opens.',
  })
  @ApiQuery({ name: 'ticket', required: true })
  @ApiProduces('text/event-stream')
  @ApiResponse({ status: 200, description: 'text/event-stream of `overview` events' })
  @ApiResponse({ status: 401, description: 'missing, expired or forged ticket' })
  events(@Query(new ZodValidationPipe(eventStreamQuerySchema)) { ticket }: { ticket: string }, @Res() res: Response) {
    if (!this.tickets.valid(ticket)) throw new UnauthorizedException('a valid event ticket is required (POST /api/events/ticket)');
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Accel-Buffering', 'no'); // a proxy must pass events through as they come
    res.flushHeaders();
    res.write(`retry: ${RETRY_MS}\n\n`);
    const send = (snapshot: OverviewSnapshot) => res.write(`event: overview\ndata: ${JSON.stringify(snapshot)}\n\n`);
    const unsubscribe = this.feed.subscribe(send);
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    res.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
    });
  }
}
