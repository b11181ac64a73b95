/**
 * How far the engine's start has come, kept where the window's transport
 * lives (Electron's main process, the web bridge). The engine worker opens
 * the mail database before it answers anything, and an upgrade of a big one
 * takes a while; the worker reports each step, and this keeps the latest so
 * a window that opens (or reconnects) later still learns it
 * (`app:startup.get`), while one already open hears each change
 * (`app:startup`).
 */
import type { EngineStartup } from '../contract/schemas.ts';
import type { MigrationStep } from '../store/database.ts';

export class EngineStartupState {
  #current: EngineStartup = { state: 'starting', migration: null, message: null };
  readonly #listeners = new Set<(state: EngineStartup) => void>();

  get current(): EngineStartup {
    return this.#current;
  }

  migrating(step: MigrationStep): void {
    this.#set({ state: 'starting', migration: { done: step.done, total: step.total, description: step.description }, message: null });
  }

  ready(): void {
    this.#set({ state: 'ready', migration: null, message: null });
  }

  failed(message: string): void {
    this.#set({ state: 'failed', migration: null, message });
  }

  /** Returns the function that stops listening. */
  onChange(listener: (state: EngineStartup) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #set(next: EngineStartup): void {
    // Once up (or given up), the start is over; a late report changes nothing.
    if (this.#current.state !== 'starting') return;
    this.#current = next;
    for (const l of this.#listeners) l(next);
  }
}
