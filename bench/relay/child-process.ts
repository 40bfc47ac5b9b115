/**
 * Child processes of the benchmark: the server under test, the bare `ws` relay and the
 * load generator each run in their own Node process, so that each one's memory and CPU
 * are its own. Children are started through `sh` to raise the open-file limit first
 * (10,000 sockets need more than the usual 1,024 descriptors).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { buildDir, repoRoot } from './paths.js';

/** Lines of a child's output kept for error messages. */
const OUTPUT_TAIL_LINES = 40;

/** The hard limit of open files of this process's children (`ulimit -Hn`). */
export function hardFileLimit(): number {
  const result = spawnSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' });
  const text = result.stdout.trim();
  return text === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(text);
}

/** Options of `spawnNode`. */
export interface SpawnNodeOptions {
  /** Open files the child needs; the soft limit is raised to it. Default 4,096. */
  fileLimit?: number;
  /** Flags for `node` itself (e.g. `--cpu-prof`). Default none. */
  nodeArgs?: string[];
  /** Environment added to this process's. */
  env?: Record<string, string>;
  /** Open an IPC channel (`process.send` in the child). Default false. */
  ipc?: boolean;
}

/** A child process and the tail of its output. */
export interface NodeChild {
  process: ChildProcess;
  pid: number;
  /** The last lines the child printed (stdout and stderr), for error messages. */
  outputTail(): string;
  /** Calls `listener` with every line of stdout and stderr. */
  onLine(listener: (line: string) => void): void;
  /** Resolves with the exit code (or signal name) once the child has exited. */
  exited: Promise<number | string>;
}

/**
 * Starts `node <nodeArgs> <script> <args>` with its open-file limit raised. Throws when the
 * limit cannot be had (the hard limit is lower), naming both numbers.
 */
export function spawnNode(script: string, args: string[], options: SpawnNodeOptions = {}): NodeChild {
  const fileLimit = options.fileLimit ?? 4096;
  const hard = hardFileLimit();
  if (fileLimit > hard) {
    throw new Error(
      `a benchmark child needs ${fileLimit} open files but the hard limit (ulimit -Hn) is ${hard}: ` +
        'raise it (e.g. in /etc/security/limits.conf or with `ulimit -Hn` as root) or run fewer sessions',
    );
  }
  // `exec` keeps the pid (so /proc/<pid> is node's) and the inherited IPC descriptor.
  const command = `ulimit -n ${fileLimit} || exit 97; exec "$0" "$@"`;
  const child = spawn('sh', ['-c', command, process.execPath, ...(options.nodeArgs ?? []), script, ...args], {
    cwd: repoRoot(),
    env: { ...process.env, ...options.env },
    stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not start node ${script}`);
  const tail: string[] = [];
  const listeners: Array<(line: string) => void> = [];
  const collect = (stream: NodeJS.ReadableStream | null) => {
    let pending = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      pending += chunk;
      let newline: number;
      while ((newline = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        tail.push(line);
        if (tail.length > OUTPUT_TAIL_LINES) tail.shift();
        for (const listener of listeners) listener(line);
      }
    });
  };
  collect(child.stdout);
  collect(child.stderr);
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code === 97 ? 'ulimit failed' : (code ?? signal ?? 'unknown')));
  });
  return {
    process: child,
    pid: child.pid,
    outputTail: () => tail.join('\n'),
    onLine: (listener) => listeners.push(listener),
    exited,
  };
}

/**
 * Waits for a line of the child's output matching `pattern` and returns the match.
 * Rejects, with the child's last output, when it exits first or after `timeoutMs`.
 */
export function waitForLine(child: NodeChild, pattern: RegExp, what: string, timeoutMs = 30_000): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => finish(new Error(`${what} did not start within ${timeoutMs} ms; its output:\n${child.outputTail()}`)), timeoutMs);
    const finish = (error: Error | null, match?: RegExpExecArray) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(match!);
    };
    child.onLine((line) => {
      const match = pattern.exec(line);
      if (match) finish(null, match);
    });
    void child.exited.then((code) => finish(new Error(`${what} exited (${code}) before it was ready; its output:\n${child.outputTail()}`)));
  });
}

/** Stops a child: SIGTERM, then SIGKILL after `graceMs`. Resolves once it has exited. */
export async function stopChild(child: NodeChild, graceMs = 15_000): Promise<number | string> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return child.exited;
  child.process.kill('SIGTERM');
  const timer = setTimeout(() => child.process.kill('SIGKILL'), graceMs);
  try {
    return await child.exited;
  } finally {
    clearTimeout(timer);
  }
}

let bundling: Promise<string> | undefined;

/**
 * The entry of the benchmark's own children (`child-main.ts`: bare relay, load generator),
 * bundled with esbuild once per process into `bench/out/relay-build/`. Dependencies stay
 * external and resolve from the repository's node_modules. The file name carries this
 * process's id, so that two benchmark runs never rewrite a bundle the other is starting;
 * it is removed when this process exits.
 */
export function childBundle(): Promise<string> {
  bundling ??= (async () => {
    const { build } = await import('esbuild');
    const outdir = buildDir();
    mkdirSync(outdir, { recursive: true });
    const outfile = path.join(outdir, `child-main-${process.pid}.mjs`);
    process.once('exit', () => {
      rmSync(outfile, { force: true });
      rmSync(`${outfile}.map`, { force: true });
    });
    await build({
      absWorkingDir: repoRoot(),
      entryPoints: [path.join(repoRoot(), 'bench', 'relay', 'child-main.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      sourcemap: 'linked',
      logLevel: 'warning',
    });
    return outfile;
  })();
  return bundling;
}
