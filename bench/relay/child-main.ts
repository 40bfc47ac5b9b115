/**
 * Entry of the benchmark's own child processes (bundled by child-process.ts):
 *
 *   child-main.mjs bare-relay    the bare ws relay; prints `bare relay listening on <port>`
 *   child-main.mjs generator     the load generator, driven over IPC (generator-protocol.ts)
 */
import { startBareRelay } from './bare-relay.js';
import { LoadGenerator } from './generator.js';
import type { FromGenerator, ToGenerator } from './generator-protocol.js';

function send(message: FromGenerator): void {
  process.send?.(message);
}

async function runBareRelay(): Promise<void> {
  const relay = await startBareRelay();
  process.stdout.write(`bare relay listening on ${relay.port}\n`);
  const stop = () => {
    void relay.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

function runGenerator(): void {
  if (!process.send) throw new Error('the generator needs an IPC channel');
  let generator: LoadGenerator | null = null;
  const fail = (error: unknown) => send({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.on('message', (raw) => {
    const message = raw as ToGenerator;
    try {
      switch (message.type) {
        case 'start':
          generator = new LoadGenerator(message.config);
          generator.connect().then((ready) => send({ type: 'ready', ready }), fail);
          return;
        case 'begin':
          generator?.begin();
          send({ type: 'begun' });
          return;
        case 'pause':
          generator?.pause();
          send({ type: 'paused' });
          return;
        case 'snapshot':
          if (generator) send({ type: 'snapshot', snapshot: generator.snapshot(message.reset) });
          return;
        case 'stop':
          if (!generator) {
            process.exit(0);
            return;
          }
          generator.stop().then((snapshot) => {
            send({ type: 'stopped', snapshot });
            // Let the IPC message leave before exiting.
            process.disconnect?.();
          }, fail);
          return;
        default:
          message satisfies never;
      }
    } catch (error) {
      fail(error);
    }
  });
  // The parent went away: nothing to report to.
  process.on('disconnect', () => setTimeout(() => process.exit(0), 100).unref());
  // Exit through process.exit, so that a `--cpu-prof` profile is written.
  process.on('SIGTERM', () => process.exit(0));
}

const role = process.argv[2];
if (role === 'bare-relay') {
  runBareRelay().catch((error: unknown) => {
    process.stderr.write(`bare relay: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
} else if (role === 'generator') {
  runGenerator();
} else {
  process.stderr.write(`child-main: unknown role ${String(role)} (bare-relay or generator)\n`);
  process.exit(2);
}
