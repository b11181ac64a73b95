/**
 * Writes under way, oldest first, for a sync that reads batch N+1 while
 * batch N is written (folder-sync.ts, body-prefetch.ts): how many may wait
 * is bounded, they are awaited in the order they were asked for, the first
 * failure is thrown, and none is left running when the sync returns.
 */
export class InFlight {
  readonly #pending: Promise<unknown>[] = [];

  /** One more under way; its failure is thrown by below(), all() or nothing (settle). */
  add(work: Promise<unknown>): void {
    // Seen by an await here later; until then it must not count as unhandled.
    work.catch(() => {});
    this.#pending.push(work);
  }

  /** Waits, oldest first, until fewer than `max` are under way. */
  async below(max: number): Promise<void> {
    while (this.#pending.length >= max) await this.#pending.shift();
  }

  /** Waits for every one, oldest first. */
  async all(): Promise<void> {
    await this.below(1);
  }

  /** Waits for every one, failed or not (for a finally). */
  async settle(): Promise<void> {
    await Promise.allSettled(this.#pending.splice(0));
  }
}
