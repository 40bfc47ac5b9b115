/**
 * The administration commands of the built CLI (`dist/cli.js`, built by the global setup)
 * run as a user would run them, on the same data directory a server uses: groups, agents,
 * settings, and a login key that signs the agent in on that server. Also on PostgreSQL
 * with `--database-url`, when PostgreSQL is reachable.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectVisitor } from '../helpers/protocol-clients.js';
import { signIn, startTestServer } from '../helpers/start-server.js';
import { sessionCookieOf } from './http-test-kit.js';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/cli.js');
const DATABASE_URL = process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with `args`; `stdin` is written to its standard input. */
function cli(
  args: string[],
  options: { stdin?: string; env?: Record<string, string> } = {},
): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [CLI, ...args],
      {
        env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...options.env },
        timeout: 30_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(options.stdin ?? '');
  });
}

describe('CLI administration on SQLite', () => {
  let dataDir: string;
  const store = () => ['--data-dir', dataDir];

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'oc-cli-'));
  });

  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('creates and lists groups and agents, and disables an agent', async () => {
    const created = await cli(['group', 'create', '24680', 'Example', 'Bank', ...store()]);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    expect(created.stdout).toMatch(
      /^Created group 24680 \(Example Bank\)\.\nAPI key \(shown only now; your CRM signs login keys with it\): [A-Za-z0-9_-]{43}\n$/,
    );

    const added = await cli([
      'agent',
      'add',
      'ada',
      '--group',
      '24680',
      '--name',
      'Ada Lovelace',
      '--partner-user-id',
      'crm-ada',
      '--role',
      'viewer',
      ...store(),
    ]);
    expect(added.code).toBe(0);
    expect(added.stdout).toContain(
      'Added agent ada (id 1) to group 24680, role viewer, privileges view.',
    );
    const password = /Password \(shown only now\): (\S+)/.exec(added.stdout)?.[1];
    expect(password).toBeDefined();

    const piped = await cli(
      [
        'agent',
        'add',
        'bob',
        '-g',
        '24680',
        '--password-stdin',
        '--privileges',
        'view,navigate',
        ...store(),
      ],
      {
        stdin: 'bob-password-123\n',
      },
    );
    expect(piped.code).toBe(0);
    expect(piped.stdout).not.toContain('Password');

    const groups = await cli(['group', 'list', ...store()]);
    expect(groups.stdout).toBe(
      ['ID     NAME          AGENTS  API KEY', '24680  Example Bank  2       set', ''].join('\n'),
    );
    const agents = JSON.parse(
      (await cli(['agent', 'list', '--group', '24680', '--json', ...store()])).stdout,
    ) as {
      username: string;
      privileges: Record<string, boolean>;
      hasPassword: boolean;
    }[];
    expect(agents.map((a) => [a.username, a.privileges['navigate'], a.hasPassword])).toEqual([
      ['ada', false, true],
      ['bob', true, true],
    ]);
    expect(JSON.stringify(agents)).not.toContain('scrypt');

    expect((await cli(['agent', 'disable', 'bob', ...store()])).stdout).toBe(
      'Agent bob disabled.\n',
    );
    expect((await cli(['agent', 'list', ...store()])).stdout).toMatch(
      /bob +24680 +agent +view,navigate +- +disabled/,
    );

    // The server on the same data directory sees all of it: ada signs in, bob may not.
    const server = await startTestServer({ dataDir });
    await signIn(server, 'ada', password!);
    await expect(signIn(server, 'bob', 'bob-password-123')).rejects.toThrow(/HTTP 401/);
    await server.close();
  });

  it('prints a login key that signs the agent in on the server', async () => {
    const server = await startTestServer({ dataDir });
    const key = await cli([
      'loginkey',
      '10000',
      'demo',
      '--expires-in',
      '600',
      '--session-key',
      'crm-1',
      '--public-url',
      server.baseUrl,
      ...store(),
    ]);
    expect(key.code).toBe(0);
    const [loginKey, viewerUrl] = key.stdout.trim().split('\n');
    expect(loginKey).toMatch(/^\$1\$\d+\$[A-Za-z0-9_-]{43}$/);
    expect(loginKey).toHaveLength(57);
    const response = await fetch(viewerUrl!, { redirect: 'manual' });
    expect(response.status).toBe(303);
    expect(sessionCookieOf(response)).toBeDefined();
    expect(response.headers.get('location')).toBe(
      '/agentjoin/AgentView.aspx?SessionKey=crm-1&Wait=1',
    );
  });

  it('reads and changes settings that the next session on the server gets', async () => {
    const server = await startTestServer({ dataDir });
    const set = await cli([
      'settings',
      'set',
      '10000',
      'staging',
      'maskedSelectors=["#card", ".balance"]',
      'randomKeyLength=5',
      'termsText=Hello there',
      ...store(),
    ]);
    expect(set.code).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({
      maskedSelectors: ['#card', '.balance'],
      randomKeyLength: 5,
      termsText: 'Hello there',
    });
    const got = JSON.parse(
      (await cli(['settings', 'get', '10000', 'staging', ...store()])).stdout,
    ) as Record<string, unknown>;
    expect(got).toMatchObject({ maskedSelectors: ['#card', '.balance'], allowRemoteControl: true });
    const { client, welcome } = await connectVisitor(server);
    try {
      expect(welcome.settings.maskedSelectors).toEqual(['#card', '.balance']);
      expect(welcome.key).toMatch(/^\d{5}$/);
    } finally {
      client.close();
    }
    const json = await cli([
      'settings',
      'set',
      '10000',
      'production',
      '--json',
      '{"allowDuplicateKeys": true}',
      ...store(),
    ]);
    expect(JSON.parse(json.stdout)).toMatchObject({ allowDuplicateKeys: true });
  });

  it('says what is wrong, with exit code 2 for bad input and 1 for a refusal', async () => {
    // A first server start creates the demo group and its admin, as in a real installation.
    await (await startTestServer({ dataDir })).close();
    const bad = await cli([
      'settings',
      'set',
      '10000',
      'staging',
      'randomKeyLength=60',
      'colour=blue',
      ...store(),
    ]);
    expect(bad).toMatchObject({ code: 2, stdout: '' });
    expect(bad.stderr).toBe(
      'opencobrowse: randomKeyLength: must be at most 9; colour: is not a known field\n',
    );
    expect(await cli(['group', 'create', '12', 'x', ...store()])).toMatchObject({
      code: 2,
      stderr: 'opencobrowse: id: must be 4 to 6 digits\n',
    });
    expect(await cli(['settings', 'get', '10000', 'live', ...store()])).toMatchObject({
      code: 2,
      stderr: 'opencobrowse: must be staging or production\n',
    });
    expect(await cli(['agent', 'disable', 'nobody', ...store()])).toMatchObject({
      code: 1,
      stderr: 'opencobrowse: no agent with username "nobody"\n',
    });
    expect(await cli(['agent', 'add', 'demo', '-g', '10000', ...store()])).toMatchObject({
      code: 1,
      stderr: 'opencobrowse: username "demo" is taken\n',
    });
    expect(await cli(['loginkey', '10000', 'nobody', ...store()])).toMatchObject({
      code: 1,
      stderr: 'opencobrowse: no agent with partner user id "nobody" in group 10000\n',
    });
    expect(await cli(['agent', 'disable', 'demo', ...store()])).toMatchObject({
      code: 1,
      stderr: 'opencobrowse: cannot disable or demote demo: it is the last enabled administrator\n',
    });
    const wrongUrl = await cli(['group', 'list', '--database-url', 'mysql://db/x', ...store()]);
    expect(wrongUrl.code).toBe(2);
    expect(wrongUrl.stderr).toContain('--database-url: must be a PostgreSQL URL');
  });
});

/** Whether PostgreSQL answers (the CLI test on it is skipped otherwise, outside CI). */
async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

const postgres = (await postgresReachable()) || process.env['CI'] ? describe : describe.skip;

postgres('CLI administration on PostgreSQL', () => {
  it('works on the database a server with DATABASE_URL uses', async () => {
    const schema = `oc_cli_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    const dataDir = await mkdtemp(path.join(tmpdir(), 'oc-cli-pg-'));
    const url = `${DATABASE_URL}${DATABASE_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    try {
      const server = await startTestServer({ dataDir, databaseUrl: url });
      const created = await cli([
        'group',
        'create',
        '13579',
        'Cluster',
        '--database-url',
        url,
        '--data-dir',
        dataDir,
      ]);
      expect(created.code).toBe(0);
      expect((await server.store.getGroup('13579'))?.name).toBe('Cluster');
      const key = await cli(['loginkey', '10000', 'demo', '--data-dir', dataDir], {
        env: { DATABASE_URL: url },
      });
      const response = await fetch(
        `${server.baseUrl}/agentjoin/AgentView.aspx?partnerid=10000&partneruserid=demo&loginkey=${encodeURIComponent(key.stdout.trim())}&SessionKey=1&Wait=1`,
        { redirect: 'manual' },
      );
      expect(response.status).toBe(303);
      await server.close();
    } finally {
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
