/**
 * Protocol-speaking clients for integration tests: a visitor and an agent over real
 * WebSockets, with a message inbox, frame helpers and the close code. They speak the wire
 * protocol directly (no browser), so tests can send exactly the bytes they mean.
 */
import WebSocket from 'ws';
import { encodeFrame, FrameKind, PROTOCOL_VERSION } from '../../src/shared/protocol/index.js';
import type { ServerToAgent, ServerToVisitor } from '../../src/shared/protocol/control.js';
import type { TestServer } from './start-server.js';

type Message = ServerToVisitor | ServerToAgent;

/** A connected protocol client. */
export class ProtocolClient<M extends Message> {
  readonly messages: M[] = [];
  readonly frames: Uint8Array[] = [];
  /** Resolves with the close code and reason. */
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly waiters: Array<() => void> = [];

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      if (isBinary) this.frames.push(new Uint8Array(data as Buffer));
      else this.messages.push(JSON.parse((data as Buffer).toString('utf8')) as M);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        for (const wake of this.waiters.splice(0)) wake();
      });
    });
  }

  /** Sends a control message (any JSON: tests send bad ones too). */
  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Sends raw bytes as a binary message. */
  sendBytes(bytes: Uint8Array): void {
    this.ws.send(bytes);
  }

  /** Sends a page frame with a JSON payload. */
  sendFrame(kind: FrameKind, seq: number, payload: unknown = [], flags = 0): Uint8Array {
    const frame = encodeFrame(kind, flags, seq, new TextEncoder().encode(JSON.stringify(payload)));
    this.ws.send(frame);
    return frame;
  }

  /** Waits for the first message (after `from`) matching `type`; throws on close or timeout. */
  async next<T extends M['type']>(type: T, from = 0, timeoutMs = 5_000): Promise<Extract<M, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.slice(from).find((m) => m.type === type);
      if (found) return found as Extract<M, { type: T }>;
      if (this.ws.readyState === WebSocket.CLOSED) throw new Error(`closed while waiting for ${type}`);
      await this.wait(deadline, `message ${type}`);
    }
  }

  /** Waits until at least `count` page frames arrived. */
  async framesUntil(count: number, timeoutMs = 5_000): Promise<Uint8Array[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.frames.length < count) await this.wait(deadline, `${count} frames (have ${this.frames.length})`);
    return this.frames;
  }

  close(): void {
    this.ws.close();
  }

  private wait(deadline: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), Math.max(0, deadline - Date.now()));
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

export type VisitorClient = ProtocolClient<ServerToVisitor>;
export type AgentClient = ProtocolClient<ServerToAgent>;

function open(url: string, origin?: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, origin ? { origin } : {});
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function wsUrl(server: Pick<TestServer, 'baseUrl'>, path: string): string {
  return server.baseUrl.replace(/^http/, 'ws') + path;
}

/** The visitor hello with test defaults. */
export function visitorHello(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'hello',
    v: PROTOCOL_VERSION,
    role: 'visitor',
    groupId: '10000',
    site: 'staging',
    page: { url: 'https://shop.example/cart', title: 'Cart' },
    ...overrides,
  };
}

/** Opens a visitor socket without sending anything. */
export async function openVisitor(server: Pick<TestServer, 'baseUrl'>): Promise<VisitorClient> {
  return new ProtocolClient(await open(wsUrl(server, '/ws/visitor'), 'https://shop.example'));
}

/** Opens a visitor socket, says hello and waits for the welcome. */
export async function connectVisitor(
  server: Pick<TestServer, 'baseUrl'>,
  hello: Record<string, unknown> = {},
): Promise<{ client: VisitorClient; welcome: Extract<ServerToVisitor, { type: 'welcome' }> }> {
  const client = await openVisitor(server);
  client.send(visitorHello(hello));
  const welcome = await client.next('welcome');
  return { client, welcome };
}

/** Opens an agent socket (from the server's own origin) without sending anything. */
export async function openAgent(server: Pick<TestServer, 'baseUrl'>, origin = server.baseUrl): Promise<AgentClient> {
  return new ProtocolClient(await open(wsUrl(server, '/ws/agent'), origin));
}

/** Opens an agent socket and says hello with a ticket. */
export async function connectAgent(
  server: Pick<TestServer, 'baseUrl'>,
  ticket: string,
  key: string,
  options: { wait?: boolean; afterSeq?: number } = {},
): Promise<AgentClient> {
  const client = await openAgent(server);
  client.send({ type: 'hello', v: PROTOCOL_VERSION, role: 'agent', ticket, key, wait: options.wait ?? false, ...(options.afterSeq !== undefined ? { afterSeq: options.afterSeq } : {}) });
  return client;
}

/**
 * A viewer ticket the real way: the signed-in agent loads the viewer page (with `Wait=1`
 * so no session is needed) and the ticket is read from the page's config.
 */
export async function viewerTicket(server: Pick<TestServer, 'baseUrl'>, cookie: string, key = 'any-key'): Promise<string> {
  const response = await fetch(`${server.baseUrl}/agentjoin/AgentView.aspx?SessionKey=${key}&Wait=1`, { headers: { cookie } });
  const html = await response.text();
  const json = /<script type="application\/json" id="oc-viewer-config">([^<]*)<\/script>/.exec(html)?.[1];
  if (!json) throw new Error(`no viewer config in the page (HTTP ${response.status})`);
  return (JSON.parse(json) as { ticket: string }).ticket;
}

export { FrameKind };
