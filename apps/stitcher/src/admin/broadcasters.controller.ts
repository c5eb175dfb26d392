import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AdminAuthGuard } from './admin-auth.guard';
import { BroadcastersQuery } from './broadcasters.service';

@ApiTags('broadcasters')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'missing or wrong bearer token' })
@UseGuards(AdminAuthGuard)
@Controller('api/broadcasters')
export class BroadcastersController {
  constructor(private readonly broadcasters: BroadcastersQuery) {}

  @Get()
  @ApiOperation({ summary: 'Broadcasters: health, success rate, latency and the live sessions assigned to each' })
  list() {
    return this.broadcasters.list();
  }
}
