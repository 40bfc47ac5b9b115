/**
 * Named listener lists for the Agent API (`addEventListener`, `addSessionMessageListener`).
 * A listener that throws is reported and the others still run: one broken handler in a
 * CRM page must not silence the rest.
 */

/** A listener of the Agent API: `(eventName, data)` or `(msgName, msg)`. */
export type AgentListener = (name: string, data: unknown) => void;

/** Listener lists by name. */
export class ListenerMap {
  private readonly lists = new Map<string, AgentListener[]>();

  /** @param report called with the listener's error; the emit goes on. */
  constructor(private readonly report: (name: string, error: unknown) => void) {}

  /** Adds `listener` for `name` (once: adding it again changes nothing, as with the DOM). */
  add(name: string, listener: AgentListener): void {
    const list = this.lists.get(name) ?? [];
    if (!list.includes(listener)) list.push(listener);
    this.lists.set(name, list);
  }

  /** Removes `listener` from `name`. */
  remove(name: string, listener: AgentListener): void {
    const list = this.lists.get(name);
    if (!list) return;
    const index = list.indexOf(listener);
    if (index >= 0) list.splice(index, 1);
    if (list.length === 0) this.lists.delete(name);
  }

  /** Calls every listener of `name` with `(name, data)`, in the order they were added. */
  emit(name: string, data: unknown): void {
    const list = this.lists.get(name);
    if (!list) return;
    // A copy: a listener may remove itself (or another) while we iterate.
    for (const listener of [...list]) {
      try {
        listener(name, data);
      } catch (error) {
        this.report(name, error);
      }
    }
  }
}
