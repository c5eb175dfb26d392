import { Module } from '@nestjs/common';
import { DatabaseModule } from '@lib/database';
import { WebhookEndpointsService } from './webhook-endpoints.service';

/** Endpoint management for the stitcher's admin API and the CLI (delivery itself is the stitcher's). */
@Module({
  imports: [DatabaseModule],
  providers: [WebhookEndpointsService],
  exports: [WebhookEndpointsService],
})
export class WebhookEndpointsModule {}
