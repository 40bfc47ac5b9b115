/**
 * The in-process bus: nodes in one process share a hub (tests run two or three servers
 * this way). A single server gets a hub of its own.
 */
import { randomUUID } from 'node:crypto';
import type { Bus, BusHandler, BusMessage, Disposer } from './bus.js';

/** Shared by the in-process nodes that should hear each other. */
export class MemoryBusHub {
  private readonly channels = new Map<string, Set<{ nodeId: string; handler: BusHandler }>>();

  /** A bus for one node on this hub. */
  createBus(nodeId: string = randomUUID()): Bus {
    return new MemoryBus(this, nodeId);
  }

  /** @internal */
  deliver(channel: string, message: BusMessage, origin: string): void {
    const subscribers = this.channels.get(channel);
    if (!subscribers) return;
    for (const { nodeId, handler } of [...subscribers]) {
      if (nodeId === origin) continue; // dropped on echo
      // Asynchronous like a real bus: a publisher never runs subscribers inside its call.
      queueMicrotask(() => handler(structuredClone(message), origin));
    }
  }

  /** @internal */
  add(channel: string, entry: { nodeId: string; handler: BusHandler }): Disposer {
    let set = this.channels.get(channel);
    if (!set) this.channels.set(channel, (set = new Set()));
    set.add(entry);
    return () => {
      set.delete(entry);
      if (set.size === 0) this.channels.delete(channel);
    };
  }
}

class MemoryBus implements Bus {
  private readonly disposers = new Set<Disposer>();
  private closed = false;

  constructor(
    private readonly hub: MemoryBusHub,
    readonly nodeId: string,
  ) {}

  async publish(channel: string, message: BusMessage): Promise<void> {
    if (this.closed) throw new Error('bus closed');
    this.hub.deliver(channel, message, this.nodeId);
  }

  async subscribe(channel: string, handler: BusHandler): Promise<Disposer> {
    if (this.closed) throw new Error('bus closed');
    const dispose = this.hub.add(channel, { nodeId: this.nodeId, handler });
    const disposer = () => {
      dispose();
      this.disposers.delete(disposer);
    };
    this.disposers.add(disposer);
    return disposer;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const dispose of [...this.disposers]) dispose();
  }
}

/** A bus for a single server that talks to nobody else. */
export function createMemoryBus(): Bus {
  return new MemoryBusHub().createBus();
}
