/**
 * The viewer's link notices a server that went silent ([CM4]): a half-open TCP connection
 * never fires `close`, so an open socket that hears nothing — not even the server's pings —
 * for `silenceTimeoutMs` is replaced. Real sockets on loopback: a `ws` server that accepts
 * and answers pings while told to, then stops saying anything without closing.
 */
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { ViewerConnection, type LinkState } from '../../src/agent/viewer/connection.js';

let server: WebSocketServer;
let url: string;
const connections: WebSocket[] = [];
const viewers: ViewerConnection[] = [];
const globals = globalThis as Record<string, unknown>;
const saved = { WebSocket: globals['WebSocket'], window: globals['window'], document: globals['document'] };

beforeEach(async () => {
  server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/agent`;
  server.on('connection', (socket) => connections.push(socket));
  // The viewer runs in a browser: give it the browser's globals it uses. A browser socket's
  // failure is an event; `ws` throws an 'error' nobody listens to, so listen.
  globals['WebSocket'] = class extends WebSocket {
    constructor(address: string) {
      super(address);
      this.on('error', () => {});
    }
  };
  globals['window'] = new EventTarget();
  globals['document'] = Object.assign(new EventTarget(), { visibilityState: 'visible' });
});

afterEach(async () => {
  for (const connection of viewers.splice(0)) await connection.close();
  for (const socket of connections.splice(0)) socket.terminate();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  Object.assign(globals, saved);
});

function connect(silenceTimeoutMs: number) {
  const states: LinkState[] = [];
  const connection = new ViewerConnection({
    url,
    ticket: 'ticket',
    key: '1234',
    wait: true,
    afterSeq: () => undefined,
    events: { state: (state) => states.push(state), message: () => {}, frame: () => {} },
    timing: { silenceTimeoutMs, initialDelayMs: 50, maxDelayMs: 100 },
  });
  connection.start();
  viewers.push(connection);
  return { connection, states };
}

const until = async (condition: () => boolean, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

it('[CM4] a socket that hears nothing for the silence timeout is replaced by a new one', async () => {
  const { connection, states } = connect(1_500);
  await until(() => connections.length === 1 && states.some((s) => s.phase === 'open'));
  // The server goes silent without closing: only the watchdog can tell.
  await until(() => states.some((s) => s.phase === 'retrying'), 8_000);
  // The server sees the new socket before the viewer hears it open: wait for both.
  await until(() => connections.length === 2 && states.filter((s) => s.phase === 'open').length === 2);
  expect(states.map((s) => s.phase)).toEqual(['connecting', 'open', 'retrying', 'connecting', 'open']);
  await connection.close();
});

it('[CM4] pings keep a quiet session open: no reconnect while the server speaks', async () => {
  const { connection, states } = connect(1_500);
  await until(() => connections.length === 1);
  const socket = connections[0]!;
  const pinger = setInterval(() => socket.send(JSON.stringify({ type: 'ping', t: Date.now() })), 300);
  const pongs: unknown[] = [];
  socket.on('message', (data) => pongs.push(JSON.parse(String(data))));
  await new Promise((resolve) => setTimeout(resolve, 4_000));
  clearInterval(pinger);
  expect(connections).toHaveLength(1);
  expect(states.map((s) => s.phase)).toEqual(['connecting', 'open']);
  expect(pongs.filter((m) => (m as { type?: string }).type === 'pong').length).toBeGreaterThan(5);
  await connection.close();
});
