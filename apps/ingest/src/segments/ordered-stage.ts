/**
 * A FIFO worked by one loop: items are handled strictly one after the other, in the
 * order they were pushed (segments of a session must reach the store and the queue in
 * sequence order, also while retrying after an outage).
 */
export class OrderedStage<T> {
  private readonly items: T[] = [];
  private running = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly handle: (item: T) => Promise<void>) {}

  get length(): number {
    return this.items.length;
  }

  push(item: T): void {
    this.items.push(item);
    void this.run();
  }

  /** Resolves when every item pushed so far has been handled. */
  whenIdle(): Promise<void> {
    if (!this.running && this.items.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    while (this.items.length) {
      try {
        await this.handle(this.items[0]);
      } catch {
        // The handler records its own failures; one bad item must not stall the stage.
      }
      this.items.shift();
    }
    this.running = false;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
