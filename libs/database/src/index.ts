export type { DataSource } from 'typeorm';
export * from './columns';
export * from './data-source';
export * from './database.module';
export * from './entities';
export * from './ledger-states';
export * from './ledger.service';
export * from './migrations';
export * from './repositories';
