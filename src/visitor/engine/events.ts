/**
 * The Glance event emitter behind `GLANCE.Cobrowse.Visitor.addEventListener` (glance-reference
 * §2.4): a handler gets one payload object; a handler that throws is reported and the
 * others still run.
 */
import type { VisitorListener } from '../loader/handoff.js';

/** Named events with one payload each. */
export class EventEmitter {
  private readonly listeners = new Map<string, VisitorListener[]>();

  /** @param report receives what a handler threw, with the event name */
  constructor(private readonly report: (message: string, error: unknown) => void) {}

  /** Adds a handler; adding the same handler twice for one event keeps one (as DOM events do). */
  on(name: string, listener: VisitorListener): void {
    if (typeof name !== 'string' || typeof listener !== 'function') return;
    const list = this.listeners.get(name);
    if (!list) this.listeners.set(name, [listener]);
    else if (!list.includes(listener)) list.push(listener);
  }

  /** Removes a handler; unknown handlers are ignored. */
  off(name: string, listener: VisitorListener): void {
    const list = this.listeners.get(name);
    const index = list ? list.indexOf(listener) : -1;
    if (list && index >= 0) list.splice(index, 1);
  }

  /**
   * Calls every handler of `name` with `payload`, in the order they were added. Handlers
   * added or removed during the call take effect from the next emit.
   */
  emit(name: string, payload: object): void {
    const list = this.listeners.get(name);
    if (!list) return;
    for (const listener of list.slice()) {
      try {
        listener(payload);
      } catch (error) {
        this.report(`a "${name}" listener threw`, error);
      }
    }
  }
}
