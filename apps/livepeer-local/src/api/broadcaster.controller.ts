import { Controller, Get, Headers, UseGuards } from '@nestjs/common';
import { BroadcasterInfo, REGION_HEADER } from '@lib/livepeer';
import { ApiKeyGuard } from './api-key.guard';
import { BroadcasterRegistryService } from './broadcaster-registry.service';

@Controller('api/broadcaster')
export class BroadcasterController {
  constructor(private readonly registry: BroadcasterRegistryService) {}

  /** Healthy broadcasters, shuffled, the `X-Livepeer-Region` ones first; no auth (as LivepeerWowza called it). */
  @Get()
  list(@Headers(REGION_HEADER.toLowerCase()) region?: string): BroadcasterInfo[] {
    return this.registry.list(region);
  }

  /** `{[address]: <the broadcaster's /status>}` plus what the API knows of it (docs/livepeer-protocol.md §2.1). */
  @Get('status')
  @UseGuards(ApiKeyGuard)
  status(): Record<string, unknown> {
    return Object.fromEntries(
      this.registry
        .all()
        .map((e) => [e.address, { region: e.region, origin: e.origin, healthy: e.healthy, lastError: e.lastError, status: e.status }]),
    );
  }
}
