import { Injectable, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { databaseConfig } from '@lib/config';
import type { ReadinessProbe } from '@lib/observability';
import { openDataSource, dataSourceOptions } from './data-source';
import { ENTITIES, SegmentEntity } from './entities';
import { LedgerService } from './ledger.service';
import {
  RecordingRepository,
  ApiKeyRepository,
  RenditionSegmentRepository,
  SegmentHistoryRepository,
  SessionRepository,
  StreamRepository,
  StreamStatsRepository,
  WebhookDeliveryRepository,
  WebhookEndpointRepository,
} from './repositories';

@Injectable()
export class DatabaseProbe implements ReadinessProbe {
  readonly name = 'database';
  constructor(private readonly ds: DataSource) {}
  async probe(): Promise<void> {
    await this.ds.query('SELECT 1');
  }
}

const REPOSITORIES = [
  LedgerService,
  SessionRepository,
  StreamRepository,
  RenditionSegmentRepository,
  SegmentHistoryRepository,
  RecordingRepository,
  StreamStatsRepository,
  WebhookEndpointRepository,
  WebhookDeliveryRepository,
  ApiKeyRepository,
];

/**
 * TypeORM connection from DATABASE_URL, migrated at start (DATABASE_MIGRATE), and every query the
 * apps make, behind the ledger and the repositories: apps never see TypeORM.
 */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      useFactory: () => dataSourceOptions(databaseConfig.load()),
      dataSourceFactory: async () => openDataSource(databaseConfig.load()),
    }),
    TypeOrmModule.forFeature(ENTITIES),
  ],
  providers: [DatabaseProbe, ...REPOSITORIES],
  exports: [DatabaseProbe, ...REPOSITORIES],
})
export class DatabaseModule {}

/** The ledger and repositories on an open DataSource, for tests and tools outside Nest. */
export function databaseRepositories(ds: DataSource) {
  const sessions = new SessionRepository(ds);
  return {
    ledger: new LedgerService(ds.getRepository(SegmentEntity)),
    sessions,
    streams: new StreamRepository(ds),
    renditions: new RenditionSegmentRepository(ds, sessions),
    recordings: new RecordingRepository(ds),
    stats: new StreamStatsRepository(ds),
    webhookEndpoints: new WebhookEndpointRepository(ds),
    webhookDeliveries: new WebhookDeliveryRepository(ds),
    apiKeys: new ApiKeyRepository(ds),
    history: new SegmentHistoryRepository(ds),
  };
}
