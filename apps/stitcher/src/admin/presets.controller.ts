import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { PRESETS } from '@lib/livepeer';
import { AdminAuthGuard } from './admin-auth.guard';

@ApiTags('streams')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'missing or wrong bearer token' })
@UseGuards(AdminAuthGuard)
@Controller('api/presets')
export class PresetsController {
  @Get()
  @ApiOperation({ summary: 'The Livepeer preset names a ladder may use, with their sizes and bit rates' })
  list() {
    return PRESETS;
  }
}
