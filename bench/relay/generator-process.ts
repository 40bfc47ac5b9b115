/**
 * The load generator and the bare relay as child processes, seen from the benchmark: start
 * them, talk to the generator over IPC, stop them. Each has its own process so that its
 * CPU and memory are its own (on two cores it still competes with the relay under test).
 */
import { childBundle, spawnNode, stopChild, waitForLine, type NodeChild } from './child-process.js';
import type { FromGenerator, GeneratorConfig, GeneratorReady, GeneratorSnapshot, ToGenerator } from './generator-protocol.js';

/** How long the generator may take to answer a request, ms (setting sessions up: more, below). */
const REQUEST_TIMEOUT_MS = 60_000;
/** Extra time to set up each session, ms (5,000 sessions: 260 s in all at most). */
const CONNECT_MS_PER_SESSION = 40;
/** Extra time to close each session, ms (5,000 sessions: 80 s in all at most). */
const STOP_MS_PER_SESSION = 4;

/** Open files per session in the generator (two sockets) and the slack on top. */
const FILES_PER_SESSION = 2;
const FILE_SLACK = 256;

/** A load generator in its own process. */
export class GeneratorProcess {
  private readonly waiters: Array<{ type: FromGenerator['type']; resolve(message: FromGenerator): void; reject(error: Error): void }> = [];
  private sessions = 0;
  private failure: Error | null = null;

  private constructor(readonly child: NodeChild) {
    child.process.on('message', (raw) => {
      const message = raw as FromGenerator;
      if (message.type === 'failed') {
        this.fail(new Error(`load generator failed: ${message.message}`));
        return;
      }
      const index = this.waiters.findIndex((waiter) => waiter.type === message.type);
      if (index >= 0) this.waiters.splice(index, 1)[0]!.resolve(message);
    });
    void child.exited.then((code) => this.fail(new Error(`load generator exited (${code}); its output:\n${child.outputTail()}`)));
  }

  /**
   * Starts a generator process for `sessions` sessions (not yet connected). With
   * `BENCH_GENERATOR_CPU_PROF_DIR` set, the generator runs under `node --cpu-prof` into that
   * folder (to see where the generator's own time goes).
   */
  static async spawn(sessions: number): Promise<GeneratorProcess> {
    const script = await childBundle();
    const profileDir = process.env['BENCH_GENERATOR_CPU_PROF_DIR'];
    return new GeneratorProcess(
      spawnNode(script, ['generator'], {
        ipc: true,
        fileLimit: sessions * FILES_PER_SESSION + FILE_SLACK,
        nodeArgs: profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [],
      }),
    );
  }

  get pid(): number {
    return this.child.pid;
  }

  /** Sets up the sessions of `config`; resolves once all are connected (or failed). */
  async start(config: GeneratorConfig): Promise<GeneratorReady> {
    this.sessions = config.sessions;
    const reply = await this.request({ type: 'start', config }, 'ready', REQUEST_TIMEOUT_MS + config.sessions * CONNECT_MS_PER_SESSION);
    return (reply as Extract<FromGenerator, { type: 'ready' }>).ready;
  }

  /** Starts the traffic. */
  async begin(): Promise<void> {
    await this.request({ type: 'begin' }, 'begun');
  }

  /** Stops sending; sockets stay open and frames in flight still arrive. */
  async pause(): Promise<void> {
    await this.request({ type: 'pause' }, 'paused');
  }

  /** The counters since the last reset; `reset` starts a new window. */
  async snapshot(reset = true): Promise<GeneratorSnapshot> {
    const reply = await this.request({ type: 'snapshot', reset }, 'snapshot');
    return (reply as Extract<FromGenerator, { type: 'snapshot' }>).snapshot;
  }

  /** Stops the traffic, closes the sessions and the process; the counters of the whole run. */
  async stop(): Promise<GeneratorSnapshot> {
    const reply = await this.request(
      { type: 'stop' },
      'stopped',
      REQUEST_TIMEOUT_MS + this.sessions * STOP_MS_PER_SESSION,
    );
    await stopChild(this.child, 5_000);
    return (reply as Extract<FromGenerator, { type: 'stopped' }>).snapshot;
  }

  /** Ends the process without waiting for anything (error paths). */
  async kill(): Promise<void> {
    await stopChild(this.child, 2_000);
  }

  /**
   * Sends `message` and waits for the reply of type `until`. A generator that does not
   * answer within `timeoutMs` is killed and the request fails: a benchmark never hangs.
   */
  private request(message: ToGenerator, until: FromGenerator['type'], timeoutMs = REQUEST_TIMEOUT_MS): Promise<FromGenerator> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(new Error(`the load generator (${this.sessions} sessions) did not answer ${message.type} within ${timeoutMs / 1000} s`));
        void this.kill();
      }, timeoutMs);
      this.waiters.push({
        type: until,
        resolve: (reply) => {
          clearTimeout(timer);
          resolve(reply);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.child.process.send(message);
    });
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }
}

/** The bare ws relay in its own process. */
export interface BareRelayProcess {
  pid: number;
  /** `ws://127.0.0.1:<port>`. */
  wsUrl: string;
  stop(): Promise<void>;
}

/** Starts the bare relay (bare-relay.ts) in a child process, with room for `sessions` sessions. */
export async function startBareRelayProcess(sessions: number, cpuProfileDir?: string): Promise<BareRelayProcess> {
  const script = await childBundle();
  const child = spawnNode(script, ['bare-relay'], {
    fileLimit: sessions * FILES_PER_SESSION + FILE_SLACK,
    nodeArgs: cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', cpuProfileDir] : [],
  });
  try {
    const match = await waitForLine(child, /bare relay listening on (\d+)/, 'the bare relay');
    return {
      pid: child.pid,
      wsUrl: `ws://127.0.0.1:${match[1]}`,
      stop: async () => {
        await stopChild(child);
      },
    };
  } catch (error) {
    await stopChild(child, 1_000);
    throw error;
  }
}
