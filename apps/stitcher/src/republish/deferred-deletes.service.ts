import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { StorageService } from '@lib/storage';

/**
 * Deletes republished segments some time after they left the playlist (docs/hls-rules.md rule 5: a
 * player or CDN that read an older version may still ask for them). Pending deletions live in
 * memory; objects a stopped process forgot are removed with their session by retention.
 */
@Injectable()
export class DeferredDeletes implements OnApplicationShutdown {
  private readonly logger = new Logger(DeferredDeletes.name);
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly storage: StorageService) {}

  schedule(keys: string[], delayMs: number): void {
    if (keys.length === 0) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.storage.remove(keys).catch((err: Error) => this.logger.warn({ err: err.message, keys: keys.length }, 'deferred delete failed'));
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  get pending(): number {
    return this.timers.size;
  }

  onApplicationShutdown(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
