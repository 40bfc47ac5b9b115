/**
 * `opencobrowse serve`: starts the server with the configuration of flags > environment >
 * config file > defaults (docs/configuration.md), prints a banner with the URLs and the
 * demo login, and closes cleanly on SIGINT/SIGTERM.
 */
import { loadConfig, type ConfigFlags } from '../server/config.js';
import { startServer, type RunningServer } from '../server/server.js';
import { describeStore } from '../server/store/open-store.js';
import type { CliIo } from './io.js';

/** How long a stop may take before the process exits anyway, ms. */
const FORCED_EXIT_MS = 10_000;

/** The human banner printed once the server listens. */
export function banner(server: RunningServer, store: string): string {
  const lines = ['', '  OpenCobrowse is running.', ''];
  lines.push(`  Agent console   ${server.consoleUrl}`);
  lines.push(`  Administration  ${server.url}/admin`);
  if (server.demoUrl) lines.push(`  Demo site       ${server.demoUrl}`);
  lines.push(
    `  Script tag      ${server.url}/cobrowse/CobrowseJS.ashx?group=<group id>&site=staging`,
  );
  const demo = server.demoCredentials;
  if (demo) {
    if (demo.password !== undefined) {
      lines.push(`  Sign in as      ${demo.username} / ${demo.password}`);
      if (demo.generated) {
        lines.push('                  (generated now and shown only this once: note it down,');
        lines.push('                   or set COBROWSE_DEMO_PASSWORD to choose it)');
      }
    } else {
      lines.push(
        `  Sign in as      ${demo.username} (password shown at first start, or set COBROWSE_DEMO_PASSWORD)`,
      );
    }
  }
  lines.push(`  Data            ${store}`, '', '  Press Ctrl+C to stop.', '');
  return lines.join('\n');
}

/** Runs the server until a signal stops it. */
export async function serve(flags: ConfigFlags, io: CliIo): Promise<void> {
  const config = loadConfig({ flags });
  const server = await startServer(config);
  io.out(banner(server, describeStore(config)));

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      io.err(`${signal} again: exiting now.`);
      process.exit(1);
    }
    stopping = true;
    io.out(`\n  ${signal}: stopping OpenCobrowse…`);
    const forced = setTimeout(() => {
      io.err(`OpenCobrowse did not stop within ${FORCED_EXIT_MS / 1000} s; exiting anyway.`);
      process.exit(1);
    }, FORCED_EXIT_MS);
    forced.unref();
    server.close().then(
      () => {
        io.out('  Stopped.');
        process.exitCode = 0;
      },
      (error: unknown) => {
        io.err(`Error while stopping: ${error instanceof Error ? error.message : String(error)}`);
        process.exitCode = 1;
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
