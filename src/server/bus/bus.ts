/**
 * The `Bus` interface (DESIGN §3.8): messages between server nodes (session started/ended,
 * later frame routing and presence). In-process by default, Redis for clusters. Messages
 * carry their origin node and are not delivered back to it.
 */

/** Something that undoes a subscription; calling it twice is harmless. */
export type Disposer = () => void;

/** A message on the bus: small JSON. */
export interface BusMessage {
  type: string;
  [field: string]: unknown;
}

export type BusHandler = (message: BusMessage, originNodeId: string) => void;

export interface Bus {
  /** This node's id; messages it publishes carry it. */
  readonly nodeId: string;
  /** Sends to every other node's subscribers of `channel`. */
  publish(channel: string, message: BusMessage): Promise<void>;
  /** Receives messages other nodes publish on `channel`. */
  subscribe(channel: string, handler: BusHandler): Promise<Disposer>;
  close(): Promise<void>;
}
