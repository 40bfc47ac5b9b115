/**
 * The `opencobrowse` command. `opencobrowse serve` starts the server with the configuration
 * of flags > environment > config file > defaults (docs/configuration.md), prints a banner
 * with the URLs and the demo login, and closes cleanly on SIGINT/SIGTERM.
 *
 * The CLI is the one place that writes to stdout/stderr directly (the server logs through
 * pino); it uses the streams, not `console`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { ConfigError, findPackageRoot, loadConfig, type ConfigFlags } from '../server/config.js';
import { startServer, type RunningServer } from '../server/server.js';

/** How long a stop may take before the process exits anyway, ms. */
const FORCED_EXIT_MS = 10_000;

function out(text: string): void {
  process.stdout.write(`${text}\n`);
}

function err(text: string): void {
  process.stderr.write(`${text}\n`);
}

function packageVersion(): string {
  try {
    const manifest = JSON.parse(
      readFileSync(path.join(findPackageRoot(), 'package.json'), 'utf8'),
    ) as { version?: string };
    return manifest.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** The human banner printed once the server listens. */
export function banner(server: RunningServer, dataDir: string): string {
  const lines = ['', '  OpenCobrowse is running.', ''];
  lines.push(`  Agent console   ${server.consoleUrl}`);
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
  lines.push(`  Data            ${dataDir}`, '', '  Press Ctrl+C to stop.', '');
  return lines.join('\n');
}

async function serve(flags: ConfigFlags): Promise<void> {
  const config = loadConfig({ flags });
  const server = await startServer(config);
  out(banner(server, config.dataDir));

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      err(`${signal} again: exiting now.`);
      process.exit(1);
    }
    stopping = true;
    out(`\n  ${signal}: stopping OpenCobrowse…`);
    const forced = setTimeout(() => {
      err(`OpenCobrowse did not stop within ${FORCED_EXIT_MS / 1000} s; exiting anyway.`);
      process.exit(1);
    }, FORCED_EXIT_MS);
    forced.unref();
    server.close().then(
      () => {
        out('  Stopped.');
        process.exitCode = 0;
      },
      (error: unknown) => {
        err(`Error while stopping: ${error instanceof Error ? error.message : String(error)}`);
        process.exitCode = 1;
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/** Builds the command line program (exported for tests and `--help` docs). */
export function createProgram(): Command {
  const program = new Command('opencobrowse')
    .description('Open, self-hostable co-browsing, API-compatible with Glance Cobrowse.')
    .version(packageVersion())
    .showHelpAfterError();

  program
    .command('serve')
    .description('Start the OpenCobrowse server (HTTP, WebSockets, agent console and demo site).')
    .addOption(
      new Option('-p, --port <port>', 'HTTP port; 0 picks a free one (env PORT, default 8080)'),
    )
    .addOption(
      new Option(
        '--host <host>',
        'interface to listen on; 0.0.0.0 for all (env HOST, default 127.0.0.1)',
      ),
    )
    .addOption(
      new Option(
        '--data-dir <dir>',
        'directory of the SQLite store (env DATA_DIR, default ./data)',
      ),
    )
    .addOption(
      new Option('-c, --config <file>', 'JSON config file (env COBROWSE_CONFIG, default none)'),
    )
    .addOption(
      new Option('--demo-port <port>', 'port of the demo site (env DEMO_PORT, default port + 1)'),
    )
    .addOption(
      new Option(
        '--no-demo',
        'do not serve the demo site (env COBROWSE_DEMO=off; default: served)',
      ),
    )
    .addOption(
      new Option(
        '--public-url <url>',
        'the server URL as browsers see it (env PUBLIC_URL, default http://localhost:<port>)',
      ),
    )
    .addOption(
      new Option(
        '--log-level <level>',
        'fatal, error, warn, info, debug, trace or silent (env LOG_LEVEL, default info)',
      ),
    )
    .addHelpText(
      'after',
      '\nAlso read from the environment: COBROWSE_DEMO_PASSWORD, COBROWSE_DEMO_API_KEY, TRUST_PROXY.\n' +
        'Every option and the config file format: docs/configuration.md',
    )
    .action(async (options: Record<string, unknown>, command: Command) => {
      const flags: ConfigFlags = {};
      const given = (name: string) => command.getOptionValueSource(name) === 'cli';
      if (given('port')) flags.port = String(options['port']);
      if (given('host')) flags.host = String(options['host']);
      if (given('dataDir')) flags.dataDir = String(options['dataDir']);
      if (given('config')) flags.config = String(options['config']);
      if (given('demoPort')) flags.demoPort = String(options['demoPort']);
      if (given('demo')) flags.demo = options['demo'] === true;
      if (given('publicUrl')) flags.publicUrl = String(options['publicUrl']);
      if (given('logLevel')) flags.logLevel = String(options['logLevel']);
      await serve(flags);
    });

  return program;
}

async function main(): Promise<void> {
  try {
    await createProgram().parseAsync(process.argv);
  } catch (error) {
    if (error instanceof ConfigError) {
      err(`opencobrowse: configuration error:\n${error.message}`);
      process.exit(2);
    }
    err(`opencobrowse: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}

void main();
