import { Body, Controller, Delete, Get, HttpCode, NotFoundException, Param, Patch, Post, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { WebhookDeliveryRepository, type WebhookDeliveryEntity } from '@lib/database';
import { InvalidEndpointError, WebhookEndpointNotFoundError, WebhookEndpointsService } from '@lib/webhooks';
import { LifecycleDispatcher } from '../webhooks/lifecycle-dispatcher.service';
import { AdminAuthGuard } from './admin-auth.guard';
import { ApiQueryFrom, openApiSchema } from './openapi-schema';
import { PAGED_HEADERS, paged } from './pagination';
import {
  createWebhookSchema,
  deliveryListQuerySchema,
  deliveryParamSchema,
  idParamSchema,
  pageQuerySchema,
  updateWebhookSchema,
  type CreateWebhookInput,
  type DeliveryListQuery,
  type DeliveryParam,
  type IdParam,
  type PageQuery,
  type UpdateWebhookInput,
} from './schemas';
import { ValidationFailed } from './validation-failed';
import { ZodValidationPipe } from './zod-validation.pipe';

const validId = new ZodValidationPipe(idParamSchema);

async function answer<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof WebhookEndpointNotFoundError) throw new NotFoundException(err.message);
    if (err instanceof InvalidEndpointError) throw new ValidationFailed({ [err.field]: [err.message] });
    throw err;
  }
}

/** The delivery log's view of one delivery: the body is the event as sent. */
function deliveryView(d: WebhookDeliveryEntity) {
  return {
    id: d.id,
    endpointId: d.endpointId,
    eventId: d.eventId,
    eventType: d.eventType,
    streamId: d.streamId,
    status: d.status,
    attempts: d.attempts,
    responseStatus: d.responseStatus,
    latencyMs: d.latencyMs,
    responseSnippet: d.responseSnippet,
    error: d.error,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    deliveredAt: d.deliveredAt,
    event: JSON.parse(d.body) as unknown,
  };
}

@ApiTags('webhooks')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'missing or wrong bearer token' })
@UseGuards(AdminAuthGuard)
@Controller('api/webhooks')
export class WebhooksController {
  constructor(
    private readonly endpoints: WebhookEndpointsService,
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly dispatcher: LifecycleDispatcher,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create an endpoint; the answer is the only time its signing secret is shown' })
  @ApiBody({ schema: openApiSchema(createWebhookSchema) })
  @ApiResponse({ status: 201, description: 'the endpoint with its `secret`' })
  @ApiResponse({ status: 400, description: 'validation failed (URL scheme or length, unknown event types, unknown fields)' })
  create(@Body(new ZodValidationPipe(createWebhookSchema)) input: CreateWebhookInput) {
    return answer(() => this.endpoints.create(input));
  }

  @Get()
  @ApiOperation({ summary: 'Endpoints, oldest first (never their secrets), with delivery counts by status' })
  @ApiQueryFrom(pageQuerySchema)
  @ApiResponse({ status: 200, description: 'a page of endpoints', headers: PAGED_HEADERS })
  async list(@Query(new ZodValidationPipe(pageQuerySchema)) page: PageQuery, @Res({ passthrough: true }) res: Response) {
    const rows = await this.endpoints.list(page);
    const counts = await this.deliveries.statusCounts(rows.map((r) => r.id));
    return paged(
      res,
      rows.map((r) => ({ ...r, deliveries: counts.get(r.id) ?? {} })),
      page,
    );
  }

  @Get(':id')
  @ApiOperation({ summary: 'One endpoint' })
  get(@Param(validId) { id }: IdParam) {
    return answer(() => this.endpoints.get(id));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change name, URL, events or enabled' })
  @ApiBody({ schema: openApiSchema(updateWebhookSchema) })
  update(@Param(validId) { id }: IdParam, @Body(new ZodValidationPipe(updateWebhookSchema)) input: UpdateWebhookInput) {
    return answer(() => this.endpoints.update(id, input));
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @ApiOperation({ summary: 'A new signing secret (shown once); later attempts are signed with it' })
  rotateSecret(@Param(validId) { id }: IdParam) {
    return answer(() => this.endpoints.rotateSecret(id));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an endpoint and its delivery log; its queued deliveries are dropped' })
  async remove(@Param(validId) { id }: IdParam) {
    await answer(() => this.endpoints.delete(id));
  }

  @Get(':id/deliveries')
  @ApiOperation({
    summary: 'The delivery log, newest first: status, attempts, last status code, latency, response snippet, the event sent',
  })
  @ApiQueryFrom(deliveryListQuerySchema)
  @ApiResponse({ status: 200, description: 'a page of deliveries', headers: PAGED_HEADERS })
  async deliveriesOf(
    @Param(validId) { id }: IdParam,
    @Query(new ZodValidationPipe(deliveryListQuerySchema)) query: DeliveryListQuery,
    @Res({ passthrough: true }) res: Response,
  ) {
    await answer(() => this.endpoints.get(id));
    const rows = await this.deliveries.list({ endpointId: id, ...query });
    return paged(res, rows.map(deliveryView), query);
  }

  @Post(':id/deliveries/:deliveryId/resend')
  @HttpCode(202)
  @ApiOperation({ summary: 'Send a delivery again: the same body and event id (receivers drop it if they had it), freshly signed' })
  @ApiResponse({ status: 404, description: 'no such delivery for this endpoint' })
  async resend(@Param(new ZodValidationPipe(deliveryParamSchema)) { id, deliveryId }: DeliveryParam) {
    const delivery = await this.deliveries.get(deliveryId);
    if (!delivery || delivery.endpointId !== id) throw new NotFoundException(`no delivery ${deliveryId} for endpoint ${id}`);
    await this.deliveries.reopen(deliveryId);
    await this.dispatcher.enqueue(deliveryId, Date.now());
    return deliveryView((await this.deliveries.get(deliveryId))!);
  }
}
