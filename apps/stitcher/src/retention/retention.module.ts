import { Module } from '@nestjs/common';
import { DatabaseModule } from '@lib/database';
import { StorageModule } from '@lib/storage';
import { RetentionService } from './retention.service';

/** Removes what ended sessions left behind: objects after RETENTION_HOURS, rows after LEDGER_RETENTION_DAYS. */
@Module({
  imports: [DatabaseModule, StorageModule],
  providers: [RetentionService],
  exports: [RetentionService],
})
export class RetentionModule {}
