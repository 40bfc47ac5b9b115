/**
 * Administration from the command line (docs/admin.md): `group`, `agent`, `loginkey` and
 * `settings`. They work on the same store as `serve` — the same `--data-dir`,
 * `--database-url`/`DATABASE_URL` and config file — and may run while the server runs
 * (SQLite in WAL mode and PostgreSQL both allow it). They go through `Accounts`, like the
 * admin UI and the REST API, so the same rules hold and the audit log says "command line".
 */
import { randomBytes } from 'node:crypto';
import { Option, type Command } from 'commander';
import type { GenericSchema, InferOutput } from 'valibot';
import {
  issuesText,
  newAgentSchema,
  newGroupSchema,
  parseInput,
  PRIVILEGES,
  siteSchema,
  siteSettingsPatchSchema,
} from '../server/auth/account-schemas.js';
import { AccountError, Accounts, type Actor } from '../server/auth/accounts.js';
import { loadConfig, type ConfigFlags } from '../server/config.js';
import { openStore } from '../server/store/open-store.js';
import type { SqlStore } from '../server/store/sql-store.js';
import type { Agent, AgentPrivileges, Site } from '../server/store/store.js';
import { CliError, EXIT_USAGE, table, type CliIo } from './io.js';

const CLI_ACTOR: Actor = { kind: 'cli' };

/** Adds the options that say where the store is. */
function withStoreOptions(command: Command): Command {
  return command
    .addOption(new Option('--data-dir <dir>', 'data directory (env DATA_DIR, default ./data)'))
    .addOption(
      new Option(
        '--database-url <url>',
        'PostgreSQL instead of SQLite (env DATABASE_URL, default none)',
      ),
    )
    .addOption(new Option('-c, --config <file>', 'JSON config file (env COBROWSE_CONFIG)'));
}

/** Opens the configured store, runs `work` with it and closes it. */
async function withAccounts<T>(
  command: Command,
  work: (accounts: Accounts, store: SqlStore) => Promise<T>,
): Promise<T> {
  const options = command.optsWithGlobals<{
    dataDir?: string;
    databaseUrl?: string;
    config?: string;
  }>();
  const flags: ConfigFlags = {};
  if (options.dataDir !== undefined) flags.dataDir = options.dataDir;
  if (options.databaseUrl !== undefined) flags.databaseUrl = options.databaseUrl;
  if (options.config !== undefined) flags.config = options.config;
  const config = loadConfig({ flags });
  const store = await openStore(config);
  try {
    return await work(new Accounts(store), store);
  } catch (error) {
    if (error instanceof AccountError) throw new CliError(error.message);
    throw error;
  } finally {
    await store.close();
  }
}

/** Parses input with a schema, or fails with the fields named (exit code 2). */
function parsed<S extends GenericSchema>(schema: S, input: unknown): InferOutput<S> {
  const result = parseInput(schema, input);
  if (!result.ok) throw new CliError(issuesText(result.issues), EXIT_USAGE);
  return result.value;
}

function privilegesText(privileges: AgentPrivileges): string {
  return PRIVILEGES.filter((name) => privileges[name]).join(',') || '-';
}

/** `--privileges view,remoteControl` → all four flags. */
function parsePrivileges(text: string): AgentPrivileges {
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const unknown = names.filter((name) => !(PRIVILEGES as readonly string[]).includes(name));
  if (unknown.length > 0)
    throw new CliError(
      `--privileges: unknown ${unknown.join(', ')}; use a comma list of ${PRIVILEGES.join(', ')}`,
      EXIT_USAGE,
    );
  return Object.fromEntries(
    PRIVILEGES.map((name) => [name, names.includes(name)]),
  ) as unknown as AgentPrivileges;
}

/** `name=value` pairs of `settings set`: values are JSON, or plain text for text fields. */
function settingsAssignments(pairs: readonly string[]): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0)
      throw new CliError(`"${pair}" is not name=value (e.g. randomKeyLength=6)`, EXIT_USAGE);
    const text = pair.slice(at + 1);
    let value: unknown = text;
    try {
      value = JSON.parse(text);
    } catch {
      // Not JSON: the text itself (termsText=Hello world).
    }
    patch[pair.slice(0, at)] = value;
  }
  return patch;
}

async function findAgent(accounts: Accounts, store: SqlStore, username: string): Promise<Agent> {
  const agent = await store.findAgentByUsername(username);
  if (!agent) throw new CliError(`no agent with username "${username}"`);
  return accounts.agent(CLI_ACTOR, agent.id);
}

/** Registers `group`, `agent`, `loginkey` and `settings` on the program. */
export function registerAdminCommands(program: Command, io: CliIo): void {
  // --- group --------------------------------------------------------------------------------
  const group = program.command('group').description('Create and list groups.');

  withStoreOptions(group.command('create'))
    .description('Create a group; prints its API key (shown only this once).')
    .argument('<id>', 'group id, 4 to 6 digits')
    .argument('<name...>', 'the group’s name')
    .option(
      '--api-key <key>',
      'use this API key instead of generating one (at least 16 characters)',
    )
    .action(
      async (id: string, nameParts: string[], options: { apiKey?: string }, command: Command) => {
        const input = parsed(newGroupSchema, {
          id,
          name: nameParts.join(' '),
          ...(options.apiKey !== undefined ? { apiKey: options.apiKey } : {}),
        });
        await withAccounts(command, async (accounts) => {
          const created = await accounts.createGroup(CLI_ACTOR, input);
          io.out(`Created group ${created.group.id} (${created.group.name}).`);
          io.out(`API key (shown only now; your CRM signs login keys with it): ${created.apiKey}`);
        });
      },
    );

  withStoreOptions(group.command('list'))
    .description('List the groups.')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      await withAccounts(command, async (accounts, store) => {
        const groups = await accounts.listGroups(CLI_ACTOR);
        const agents = await store.listAgents();
        if (options.json) {
          io.out(
            JSON.stringify(
              groups.map((g) => ({ id: g.id, name: g.name, hasApiKey: g.apiKey !== null })),
              null,
              2,
            ),
          );
          return;
        }
        io.out(
          table(
            ['ID', 'NAME', 'AGENTS', 'API KEY'],
            groups.map((g) => [
              g.id,
              g.name,
              String(agents.filter((a) => a.groupId === g.id).length),
              g.apiKey ? 'set' : 'none',
            ]),
          ),
        );
      });
    });

  withStoreOptions(group.command('rotate-key'))
    .description('Replace a group’s API key; prints the new one. The old key stops working.')
    .argument('<id>', 'group id')
    .action(async (id: string, _options: object, command: Command) => {
      await withAccounts(command, async (accounts) => {
        const { apiKey } = await accounts.rotateApiKey(CLI_ACTOR, id);
        io.out(`New API key of group ${id} (shown only now): ${apiKey}`);
      });
    });

  // --- agent --------------------------------------------------------------------------------
  const agent = program.command('agent').description('Add, list, disable and enable agents.');

  withStoreOptions(agent.command('add'))
    .description('Add an agent. Without --password, one is generated and printed once.')
    .argument('<username>', 'sign-in name')
    .requiredOption('-g, --group <id>', 'the agent’s group')
    .option('--name <name>', 'display name')
    .option('--email <email>', 'email address')
    .option('--title <title>', 'job title')
    .option('--partner-user-id <id>', 'the CRM’s id of the agent (SSO partneruserid)')
    .addOption(
      new Option('--role <role>', 'admin, agent or viewer')
        .choices(['admin', 'agent', 'viewer'])
        .default('agent'),
    )
    .option('--privileges <list>', `comma list of ${PRIVILEGES.join(', ')} (default: by role)`)
    .option(
      '--password <password>',
      'the password (visible in the process list: prefer --password-stdin)',
    )
    .option('--password-stdin', 'read the password from standard input')
    .option('--no-password', 'no password: the agent signs in by SSO only')
    .action(async (username: string, options: Record<string, unknown>, command: Command) => {
      let password: string | null;
      let generated = false;
      if (options['passwordStdin'] === true)
        password = (await io.readStdin()).replace(/\r?\n$/, '');
      else if (typeof options['password'] === 'string') password = options['password'];
      else if (options['password'] === false) password = null;
      else {
        password = randomBytes(12).toString('base64url');
        generated = true;
      }
      const input = parsed(newAgentSchema, {
        username,
        displayName: (options['name'] as string | undefined) ?? '',
        email: (options['email'] as string | undefined) ?? '',
        title: (options['title'] as string | undefined) ?? '',
        partnerUserId: (options['partnerUserId'] as string | undefined) ?? '',
        role: options['role'],
        password,
        ...(typeof options['privileges'] === 'string'
          ? { privileges: parsePrivileges(options['privileges']) }
          : {}),
      });
      await withAccounts(command, async (accounts) => {
        const created = await accounts.createAgent(CLI_ACTOR, String(options['group']), input);
        io.out(
          `Added agent ${created.username} (id ${created.id}) to group ${created.groupId}, role ${created.role}, privileges ${privilegesText(created.privileges)}.`,
        );
        if (generated) io.out(`Password (shown only now): ${password}`);
      });
    });

  withStoreOptions(agent.command('list'))
    .description('List agents, of one group or all.')
    .option('-g, --group <id>', 'only this group')
    .option('--json', 'print JSON')
    .action(async (options: { group?: string; json?: boolean }, command: Command) => {
      await withAccounts(command, async (accounts) => {
        const agents = await accounts.listAgents(CLI_ACTOR, options.group);
        if (options.json) {
          io.out(
            JSON.stringify(
              agents.map(({ passwordHash, ...rest }) => ({
                ...rest,
                hasPassword: passwordHash !== null,
              })),
              null,
              2,
            ),
          );
          return;
        }
        io.out(
          table(
            ['ID', 'USERNAME', 'GROUP', 'ROLE', 'PRIVILEGES', 'PARTNER USER ID', 'STATUS'],
            agents.map((a) => [
              String(a.id),
              a.username,
              a.groupId,
              a.role,
              privilegesText(a.privileges),
              a.partnerUserId || '-',
              a.disabled ? 'disabled' : 'active',
            ]),
          ),
        );
      });
    });

  for (const [name, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    withStoreOptions(agent.command(name))
      .description(
        disabled
          ? 'Disable an agent: signed out now, cannot sign in or join.'
          : 'Enable a disabled agent.',
      )
      .argument('<username>', 'the agent’s username')
      .action(async (username: string, _options: object, command: Command) => {
        await withAccounts(command, async (accounts, store) => {
          const found = await findAgent(accounts, store, username);
          await accounts.updateAgent(CLI_ACTOR, found.id, { disabled });
          io.out(`Agent ${username} ${disabled ? 'disabled' : 'enabled'}.`);
        });
      });
  }

  // --- loginkey -----------------------------------------------------------------------------
  withStoreOptions(program.command('loginkey'))
    .description('Print a valid Glance login key for an agent (for testing SSO).')
    .argument('<group>', 'group id (partnerid)')
    .argument('<partnerUserId>', 'the agent’s partner user id (partneruserid)')
    .option('--expires-in <seconds>', 'lifetime in seconds, at most 86400', '3600')
    .option('--session-key <key>', 'also print the viewer URL that joins this session')
    .option(
      '--public-url <url>',
      'server URL for --session-key (env PUBLIC_URL, default http://localhost:8080)',
    )
    .action(
      async (
        groupId: string,
        partnerUserId: string,
        options: Record<string, string | undefined>,
        command: Command,
      ) => {
        const expiresIn = Number(options['expiresIn']);
        if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > 86_400)
          throw new CliError(
            '--expires-in: must be a whole number of seconds from 1 to 86400',
            EXIT_USAGE,
          );
        const sessionKey = options['sessionKey'];
        if (sessionKey !== undefined && !/^[A-Za-z0-9_-]{1,50}$/.test(sessionKey))
          throw new CliError('--session-key: must be 1 to 50 letters, digits, - or _', EXIT_USAGE);
        await withAccounts(command, async (accounts) => {
          const issued = await accounts.issueLoginKey(CLI_ACTOR, groupId, partnerUserId, expiresIn);
          io.out(issued.loginKey);
          if (sessionKey !== undefined) {
            const base = (
              options['publicUrl'] ??
              process.env['PUBLIC_URL'] ??
              'http://localhost:8080'
            ).replace(/\/+$/, '');
            const query = new URLSearchParams({
              partnerid: groupId,
              partneruserid: partnerUserId,
              loginkey: issued.loginKey,
              SessionKey: sessionKey,
              Wait: '1',
            });
            io.out(`${base}/agentjoin/AgentView.aspx?${query.toString()}`);
          }
        });
      },
    );

  // --- settings -----------------------------------------------------------------------------
  const settings = program
    .command('settings')
    .description('Read and change a group’s site settings.');

  withStoreOptions(settings.command('get'))
    .description('Print a site’s settings as JSON.')
    .argument('<group>', 'group id')
    .argument('<site>', 'staging or production')
    .action(async (groupId: string, siteText: string, _options: object, command: Command) => {
      const site: Site = parsed(siteSchema, siteText);
      await withAccounts(command, async (accounts) => {
        io.out(JSON.stringify(await accounts.settings(CLI_ACTOR, groupId, site), null, 2));
      });
    });

  withStoreOptions(settings.command('set'))
    .description(
      'Change settings: name=value pairs (values as JSON: maskedSelectors=\'["#card"]\' randomKeyLength=6), or --json.',
    )
    .argument('<group>', 'group id')
    .argument('<site>', 'staging or production')
    .argument('[assignments...]', 'name=value pairs')
    .option('--json <object>', 'the changes as one JSON object')
    .action(
      async (
        groupId: string,
        siteText: string,
        assignments: string[],
        options: { json?: string },
        command: Command,
      ) => {
        const site: Site = parsed(siteSchema, siteText);
        let patch: Record<string, unknown> = settingsAssignments(assignments);
        if (options.json !== undefined) {
          try {
            patch = { ...patch, ...(JSON.parse(options.json) as Record<string, unknown>) };
          } catch (error) {
            throw new CliError(`--json: not valid JSON: ${(error as Error).message}`, EXIT_USAGE);
          }
        }
        if (Object.keys(patch).length === 0)
          throw new CliError('nothing to change: give name=value pairs or --json', EXIT_USAGE);
        const valid = parsed(siteSettingsPatchSchema, patch);
        await withAccounts(command, async (accounts) => {
          const result = await accounts.putSettings(CLI_ACTOR, groupId, site, valid);
          io.out(JSON.stringify(result, null, 2));
        });
      },
    );
}
