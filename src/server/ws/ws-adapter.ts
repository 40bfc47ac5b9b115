/**
 * The WebSocket shell around the relay core: upgrades on `/ws/visitor` and `/ws/agent`,
 * the agent origin check ([HS4]), a transport heartbeat, and the `ws` socket presented
 * as the relay's `PeerSocket`.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Relay } from '../relay/relay.js';
import type { Connection, PeerSocket } from '../relay/types.js';

/** Options of the WebSocket shell. */
export interface WebSocketOptions {
  /** Whether an agent socket's `Origin` is the server's own ([HS4]). */
  isAllowedAgentOrigin(origin: string | undefined): boolean;
  /** Hard cap of one WebSocket message, bytes; the relay enforces finer caps. */
  maxPayload: number;
  logger: Logger;
  /** Interval of transport pings; a socket that misses one is dropped. Default 30 000 ms. */
  heartbeatMs?: number;
}

const VISITOR_PATH = '/ws/visitor';
const AGENT_PATH = '/ws/agent';

/** Serves the relay's WebSocket endpoints on an HTTP server. */
export function attachWebSockets(server: Server, relay: Relay, options: WebSocketOptions): { close(): Promise<void> } {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxPayload,
    // Page frames are compressed by the visitor already; a second deflate would cost the
    // relay CPU for nothing.
    perMessageDeflate: false,
  });
  const alive = new WeakMap<WebSocket, boolean>();

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (request.url ?? '').split('?')[0];
    if (path !== VISITOR_PATH && path !== AGENT_PATH) return; // someone else's upgrade
    const origin = request.headers.origin;
    if (path === AGENT_PATH && !options.isAllowedAgentOrigin(origin)) {
      options.logger.warn({ origin }, 'ws: agent socket from a foreign origin refused');
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      const info = { ip: request.socket.remoteAddress ?? '', origin, userAgent: request.headers['user-agent'] };
      const peer = asPeerSocket(ws);
      const connection: Connection =
        path === VISITOR_PATH ? relay.acceptVisitor(peer, info) : relay.acceptAgent(peer, info);
      alive.set(ws, true);
      ws.on('message', (data, isBinary) => {
        // With the default binaryType, data is one Buffer (ws joins fragments).
        const bytes = data as Buffer;
        connection.receive(isBinary ? bytes : bytes.toString('utf8'), isBinary);
      });
      ws.on('pong', () => alive.set(ws, true));
      ws.on('close', (code) => connection.closed(code));
      ws.on('error', (error) => {
        options.logger.debug({ err: error }, 'ws: socket error');
      });
    });
  };
  server.on('upgrade', onUpgrade);

  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, options.heartbeatMs ?? 30_000);
  heartbeat.unref();

  return {
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(heartbeat);
        server.off('upgrade', onUpgrade);
        for (const ws of wss.clients) ws.terminate();
        wss.close(() => resolve());
      }),
  };
}

function asPeerSocket(ws: WebSocket): PeerSocket {
  return {
    send(data) {
      if (ws.readyState === ws.OPEN) ws.send(data);
    },
    close(code, reason) {
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(code, reason);
    },
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
  };
}
