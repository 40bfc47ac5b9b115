/**
 * The OpenCobrowse server under test, in its own process: `node dist/cli.js serve` with a
 * fresh temporary data directory, no demo site, `LOG_LEVEL=warn` and a known demo agent
 * password, so its RSS and CPU are its own and nothing of the benchmark runs inside it.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RelayConfig } from '../../src/server/relay/types.js';
import { spawnNode, stopChild, waitForLine, type NodeChild } from './child-process.js';
import { serverCliPath } from './paths.js';

/** The demo agent's password in benchmark servers (`COBROWSE_DEMO_PASSWORD`). */
export const BENCH_DEMO_PASSWORD = 'relay-bench-password';
/** The demo agent created at first start. */
export const BENCH_DEMO_USERNAME = 'demo';
/** The demo group every benchmark session belongs to. */
export const BENCH_GROUP_ID = '10000';

/** Options of `startServerProcess`. */
export interface ServerProcessOptions {
  /** Relay limits that differ from `DEFAULT_RELAY_CONFIG` (written to a config file). Default none. */
  relay?: Partial<RelayConfig>;
  /** Write a V8 CPU profile (`node --cpu-prof`) into this folder when the server stops. Default none. */
  cpuProfileDir?: string;
  /** Open files the server may need (2 per session plus slack). Default 4,096. */
  fileLimit?: number;
  /** How long the server may take to start, ms. Default 30,000. */
  startTimeoutMs?: number;
}

/** A running server process. */
export interface ServerProcess {
  /** Its process id (read `/proc/<pid>` for RSS and CPU). */
  pid: number;
  /** `http://127.0.0.1:<port>`: HTTP base, and the Origin agent sockets must send ([HS4]). */
  baseUrl: string;
  /** `ws://127.0.0.1:<port>`: base of `/ws/visitor` and `/ws/agent`. */
  wsUrl: string;
  /** The demo agent's login. */
  username: string;
  password: string;
  /** The group of the demo agent. */
  groupId: string;
  /** Server log lines at warn level or above seen so far. */
  warnings(): string[];
  /** The child, for its output. */
  child: NodeChild;
  /** Stops the server (SIGTERM: it closes every socket) and removes its data directory. Idempotent. */
  stop(): Promise<void>;
}

/** Keeps this many warning lines; beyond, only the count matters. */
const MAX_WARNINGS_KEPT = 200;

/** Starts `dist/cli.js serve` in a child process and waits until it listens. */
export async function startServerProcess(options: ServerProcessOptions = {}): Promise<ServerProcess> {
  const cli = serverCliPath();
  if (!existsSync(cli)) throw new Error(`${cli} is missing: build the server first (node scripts/build.mjs)`);
  const dataDir = await mkdtemp(path.join(tmpdir(), 'oc-relay-bench-'));
  const args = ['serve', '--port', '0', '--host', '127.0.0.1', '--no-demo', '--data-dir', dataDir];
  if (options.relay && Object.keys(options.relay).length > 0) {
    const configFile = path.join(dataDir, 'bench-config.json');
    await writeFile(configFile, JSON.stringify({ relay: options.relay }));
    args.push('--config', configFile);
  }
  const nodeArgs = options.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir] : [];
  const child = spawnNode(cli, args, {
    fileLimit: options.fileLimit ?? 4096,
    nodeArgs,
    env: { LOG_LEVEL: 'warn', COBROWSE_DEMO_PASSWORD: BENCH_DEMO_PASSWORD },
  });
  const warnings: string[] = [];
  child.onLine((line) => {
    // pino levels: 40 warn, 50 error, 60 fatal.
    if (/"level":(4|5|6)0\b/.test(line) && warnings.length < MAX_WARNINGS_KEPT) warnings.push(line);
  });
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await stopChild(child);
      await rm(dataDir, { recursive: true, force: true });
    })());
  try {
    const match = await waitForLine(child, /Agent console\s+https?:\/\/[^:/\s]+:(\d+)\//, 'the OpenCobrowse server', options.startTimeoutMs ?? 30_000);
    const port = Number(match[1]);
    return {
      pid: child.pid,
      baseUrl: `http://127.0.0.1:${port}`,
      wsUrl: `ws://127.0.0.1:${port}`,
      username: BENCH_DEMO_USERNAME,
      password: BENCH_DEMO_PASSWORD,
      groupId: BENCH_GROUP_ID,
      warnings: () => [...warnings],
      child,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
