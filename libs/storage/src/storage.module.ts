import { Injectable, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import type { ReadinessProbe } from '@lib/observability';
import { StorageService } from './storage.service';

@Injectable()
export class S3Probe implements ReadinessProbe {
  readonly name = 's3';
  constructor(private readonly storage: StorageService) {}
  async probe(): Promise<void> {
    if (!(await this.storage.client.bucketExists(this.storage.bucket))) {
      throw new Error(`bucket ${this.storage.bucket} does not exist`);
    }
  }
}

/**
 * Creates the bucket at start so the first segment never waits for it. An object
 * store that is down at boot does not stop the app: readiness reports it, and
 * ingest buffers segments on disk until it answers.
 */
@Injectable()
class BucketInitializer implements OnApplicationBootstrap {
  private readonly logger = new Logger('Storage');
  constructor(private readonly storage: StorageService) {}
  async onApplicationBootstrap() {
    await this.storage
      .ensureBucket()
      .catch((err: Error) => this.logger.warn({ err: err.message }, 'object store not reachable at start; will retry on use'));
  }
}

@Module({
  providers: [StorageService, S3Probe, BucketInitializer],
  exports: [StorageService, S3Probe],
})
export class StorageModule {}
