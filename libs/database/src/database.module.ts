import { Injectable, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { databaseConfig } from '@lib/config';
import type { ReadinessProbe } from '@lib/observability';
import { openDataSource, dataSourceOptions } from './data-source';
import { ENTITIES } from './entities';
import { LedgerService } from './ledger.service';

@Injectable()
export class DatabaseProbe implements ReadinessProbe {
  readonly name = 'database';
  constructor(private readonly ds: DataSource) {}
  async probe(): Promise<void> {
    await this.ds.query('SELECT 1');
  }
}

/** TypeORM connection from DATABASE_URL, migrated at start (DATABASE_MIGRATE), and the ledger. */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      useFactory: () => dataSourceOptions(databaseConfig.load()),
      dataSourceFactory: async () => openDataSource(databaseConfig.load()),
    }),
    TypeOrmModule.forFeature(ENTITIES),
  ],
  providers: [DatabaseProbe, LedgerService],
  exports: [TypeOrmModule, DatabaseProbe, LedgerService],
})
export class DatabaseModule {}
