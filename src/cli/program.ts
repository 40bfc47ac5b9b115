/**
 * The `opencobrowse` command line: `serve` (the server) and the administration commands
 * (`group`, `agent`, `loginkey`, `settings`). `runCli` runs one command line and returns
 * the exit code, with output going to the given streams, so tests can run it in process.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { ConfigError, findPackageRoot, type ConfigFlags } from '../server/config.js';
import { StoreError } from '../server/store/sql-store.js';
import { registerAdminCommands } from './admin-commands.js';
import { CliError, EXIT_FAILURE, EXIT_USAGE, processIo, type CliIo } from './io.js';
import { serve } from './serve-command.js';

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

/** Builds the command line program (exported for tests and `--help` docs). */
export function createProgram(io: CliIo = processIo): Command {
  const program = new Command('opencobrowse')
    .description('Open, self-hostable co-browsing, API-compatible with Glance Cobrowse.')
    .version(packageVersion())
    .showHelpAfterError()
    .configureOutput({
      writeOut: (text) => io.out(text.replace(/\n$/, '')),
      writeErr: (text) => io.err(text.replace(/\n$/, '')),
    });

  program
    .command('serve')
    .description(
      'Start the OpenCobrowse server (HTTP, WebSockets, agent console, admin UI and demo site).',
    )
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
        'directory of the SQLite store and the secret key (env DATA_DIR, default ./data)',
      ),
    )
    .addOption(
      new Option(
        '--database-url <url>',
        'keep the store in PostgreSQL, postgres://… (env DATABASE_URL, default: SQLite)',
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
      '\nAlso read from the environment: COBROWSE_DEMO_PASSWORD, COBROWSE_DEMO_API_KEY,\n' +
        'COBROWSE_SECRET_KEY, TRUST_PROXY. Every option and the config file format:\n' +
        'docs/configuration.md',
    )
    .action(async (options: Record<string, unknown>, command: Command) => {
      const flags: ConfigFlags = {};
      const given = (name: string) => command.getOptionValueSource(name) === 'cli';
      if (given('port')) flags.port = String(options['port']);
      if (given('host')) flags.host = String(options['host']);
      if (given('dataDir')) flags.dataDir = String(options['dataDir']);
      if (given('databaseUrl')) flags.databaseUrl = String(options['databaseUrl']);
      if (given('config')) flags.config = String(options['config']);
      if (given('demoPort')) flags.demoPort = String(options['demoPort']);
      if (given('demo')) flags.demo = options['demo'] === true;
      if (given('publicUrl')) flags.publicUrl = String(options['publicUrl']);
      if (given('logLevel')) flags.logLevel = String(options['logLevel']);
      await serve(flags, io);
    });

  registerAdminCommands(program, io);
  return program;
}

/**
 * Runs one command line (`argv` without the node and script paths) and returns its exit
 * code: 0 done, 1 refused or failed, 2 bad usage, input or configuration.
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const program = createProgram(io).exitOverride();
  for (const command of program.commands) {
    command.exitOverride();
    for (const sub of command.commands) sub.exitOverride();
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed the usage error (or the help / version, exit code 0).
      return error.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    if (error instanceof ConfigError) {
      io.err(`opencobrowse: configuration error:\n${error.message}`);
      return EXIT_USAGE;
    }
    if (error instanceof CliError) {
      io.err(`opencobrowse: ${error.message}`);
      return error.exitCode;
    }
    if (error instanceof StoreError) {
      io.err(`opencobrowse: ${error.message}`);
      return EXIT_FAILURE;
    }
    io.err(`opencobrowse: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT_FAILURE;
  }
}
