/**
 * The two relays the benchmark compares, started the same way: ours (`dist/cli.js serve`)
 * or the bare `ws` relay, each in its own process, plus what the load generator needs to
 * reach it. Also the measurement of one window: generator counters and the CPU of the
 * relay, the generator and everything else on the machine.
 */
import { startBareRelayProcess, type GeneratorProcess } from './generator-process.js';
import type { GeneratorSnapshot, RelayTarget } from './generator-protocol.js';
import {
  coresUsed,
  runQueueShare,
  sampleProcess,
  sampleSystemCpu,
  type ProcSample,
} from './proc-stats.js';
import type { RelayConfig } from '../../src/server/relay/types.js';
import { startServerProcess } from './server-process.js';
import { fetchViewerTicket } from './tickets.js';

/** Which relay. */
export type RelayKind = 'opencobrowse' | 'bare';

/** Open files a relay needs beyond two per session. */
const FILE_SLACK = 512;

/** A started relay. */
export interface RelayUnderTest {
  kind: RelayKind;
  pid: number;
  target: RelayTarget;
  /** Server log lines at warn level or above (ours; none for the bare relay). */
  warnings(): string[];
  stop(): Promise<void>;
}

/** Options of `startRelay`. */
export interface StartRelayOptions {
  /** Sessions it must hold (sets the open-file limit). */
  sessions: number;
  /** Relay limits for our server that differ from the defaults. Default none. */
  relayConfig?: Partial<RelayConfig>;
  /** Run under `node --cpu-prof`, writing the profile here at stop. Default: no profile. */
  cpuProfileDir?: string;
}

/** Starts one of the relays in its own process. */
export async function startRelay(kind: RelayKind, options: StartRelayOptions): Promise<RelayUnderTest> {
  const fileLimit = options.sessions * 2 + FILE_SLACK;
  if (kind === 'bare') {
    const bare = await startBareRelayProcess(options.sessions, options.cpuProfileDir);
    return { kind, pid: bare.pid, target: { kind: 'bare', wsUrl: bare.wsUrl }, warnings: () => [], stop: bare.stop };
  }
  const server = await startServerProcess({
    fileLimit,
    ...(options.relayConfig ? { relay: options.relayConfig } : {}),
    ...(options.cpuProfileDir ? { cpuProfileDir: options.cpuProfileDir } : {}),
  });
  try {
    const ticket = await fetchViewerTicket(server.baseUrl, server.username, server.password);
    return {
      kind,
      pid: server.pid,
      target: { kind: 'opencobrowse', wsUrl: server.wsUrl, agentOrigin: server.baseUrl, ticket, groupId: server.groupId },
      warnings: server.warnings,
      stop: server.stop,
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/** CPU used during a window, in cores (1 = one core busy the whole window). */
export interface CpuShares {
  /** The relay under test. */
  relay: number;
  /** The load generator. */
  generator: number;
  /** Everything else on the machine (the benchmark runner, other processes). */
  other: number;
  /** Share of the window the relay's and the generator's main threads waited for a core. */
  relayWaiting: number;
  generatorWaiting: number;
}

/** Samples taken at the start of a window. */
export interface WindowStart {
  relay: ProcSample;
  generator: ProcSample;
  system: ReturnType<typeof sampleSystemCpu>;
}

/** Marks the start of a window (call right after resetting the generator's counters). */
export function startWindow(relayPid: number, generator: GeneratorProcess): WindowStart {
  return { relay: sampleProcess(relayPid), generator: sampleProcess(generator.pid), system: sampleSystemCpu() };
}

/** Ends a window: the generator's counters (reset for the next window) and the CPU shares. */
export async function endWindow(start: WindowStart, relayPid: number, generator: GeneratorProcess): Promise<{ snapshot: GeneratorSnapshot; cpu: CpuShares; relayRssBytes: number }> {
  const snapshot = await generator.snapshot(true);
  const relay = sampleProcess(relayPid);
  const gen = sampleProcess(generator.pid);
  const system = sampleSystemCpu();
  const wall = system.at - start.system.at;
  const relayCores = coresUsed(start.relay, relay);
  const generatorCores = coresUsed(start.generator, gen);
  const total = wall > 0 ? (system.busyMs - start.system.busyMs) / wall : 0;
  return {
    snapshot,
    cpu: {
      relay: relayCores,
      generator: generatorCores,
      other: Math.max(0, total - relayCores - generatorCores),
      relayWaiting: runQueueShare(start.relay, relay),
      generatorWaiting: runQueueShare(start.generator, gen),
    },
    relayRssBytes: relay.rssBytes,
  };
}

/** Waits `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
