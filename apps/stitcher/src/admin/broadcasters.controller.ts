import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AdminAuthGuard } from './admin-auth.guard';
import { BroadcastersQuery } from './broadcasters.service';
import { HistoryQuery } from './history.service';
import { openApiSchema } from './openapi-schema';
import { broadcasterHistorySchema, historyQuerySchema, type HistoryQuery as HistoryParams } from './schemas';
import { ZodValidationPipe } from './zod-validation.pipe';

@ApiTags('broadcasters')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'missing or wrong bearer token' })
@UseGuards(AdminAuthGuard)
@Controller('api/broadcasters')
export class BroadcastersController {
  constructor(
    private readonly broadcasters: BroadcastersQuery,
    private readonly history: HistoryQuery,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Broadcasters: health, success rate, latency and the live sessions assigned to each' })
  list() {
    return this.broadcasters.list();
  }

  @Get('history')
  @ApiOperation({
    summary: 'Per broadcaster and minute over the last hour: upload attempts, success rate, mean round trip (from the ledger)',
  })
  @ApiQuery({ name: 'minutes', required: false, type: Number, description: '1..60, default 60' })
  @ApiResponse({ status: 200, schema: openApiSchema(broadcasterHistorySchema) })
  historyOf(@Query(new ZodValidationPipe(historyQuerySchema)) { minutes }: HistoryParams) {
    return this.history.broadcasters(minutes);
  }
}
