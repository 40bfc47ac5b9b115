/**
 * The bare `ws` relay: the floor for a Node relay, written for the benchmark. Same shape as
 * ours (one HTTP server, `ws` with `noServer` upgrades, no permessage-deflate, the same
 * message cap), and nothing else: `/visitor/<id>` forwards every message as it is to
 * `/agent/<id>`. No handshake messages, no sequence checks, no acks, no log, no limits.
 * It tells the visitor `paired` once both ends are connected (set-up only).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { FRAME_HEADER_BYTES } from '../../src/shared/protocol/frame.js';
import { DEFAULT_RELAY_CONFIG } from '../../src/server/relay/types.js';

/** A running bare relay. */
export interface BareRelay {
  port: number;
  close(): Promise<void>;
}

interface Pair {
  visitor?: WebSocket;
  agent?: WebSocket;
}

const PATH = /^\/(visitor|agent)\/([A-Za-z0-9_-]{1,64})$/;

/** Starts the bare relay on `host:port` (port 0 picks one). */
export async function startBareRelay(port = 0, host = '127.0.0.1'): Promise<BareRelay> {
  const server = createServer((_request, response) => {
    response.writeHead(404).end();
  });
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    // The same cap as our server's WebSocket shell.
    maxPayload: DEFAULT_RELAY_CONFIG.maxKeyframeBytes + FRAME_HEADER_BYTES,
  });
  const pairs = new Map<string, Pair>();
  server.on('upgrade', (request, socket, head) => {
    const match = PATH.exec(request.url ?? '');
    if (!match) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const role = match[1] as 'visitor' | 'agent';
    const id = match[2]!;
    wss.handleUpgrade(request, socket, head, (ws) => {
      let pair = pairs.get(id);
      if (!pair) pairs.set(id, (pair = {}));
      const current = pair;
      current[role] = ws;
      if (role === 'visitor') {
        ws.on('message', (data, isBinary) => {
          const agent = current.agent;
          if (agent && agent.readyState === agent.OPEN) agent.send(data as Buffer, { binary: isBinary });
        });
      }
      ws.on('close', () => {
        if (current[role] === ws) delete current[role];
        if (!current.visitor && !current.agent && pairs.get(id) === current) pairs.delete(id);
      });
      ws.on('error', () => {});
      if (current.visitor && current.agent) current.visitor.send('paired');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close();
        server.close(() => resolve());
      }),
  };
}
