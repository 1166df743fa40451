/**
 * A small typed event emitter: `on` is checked against an events map, and returns its own
 * unsubscribe function so that controllers can drop every listener at once. A listener that
 * throws does not stop the others (a UI listener's bug must not cost the core an offer): the
 * error is logged and counted (diagnostics.ts).
 */
import { noteTrouble } from './diagnostics.js';

/** An events map: each event name to its listener signature (`never[]` accepts any parameters). */
export type EventMap<E> = { [K in keyof E]: (...args: never[]) => void };

export class Emitter<E extends EventMap<E>> {
  readonly #listeners = new Map<keyof E, Set<E[keyof E]>>();

  on<K extends keyof E>(event: K, listener: E[K]): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  protected emit<K extends keyof E>(event: K, ...args: Parameters<E[K]>): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as (...a: Parameters<E[K]>) => void)(...args);
      } catch (err) {
        noteTrouble('listener-threw', { event: String(event) }, err);
        console.error(`Runde: a listener of "${String(event)}" threw`, err);
      }
    }
  }

  /** Drops every listener (when the owner is destroyed). */
  protected clearListeners(): void {
    this.#listeners.clear();
  }
}
