/**
 * The server's configuration: one typed `ServerConfig`, built from CLI flags, then
 * environment variables, then a JSON config file, then defaults (the first that sets a
 * value wins). Every option is documented with its default in docs/configuration.md.
 *
 * Bad values never start a half-configured server: they throw a `ConfigError` whose
 * message names the field and the source (`PORT`, `--port`, `config.json: groups[0].id`).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as v from 'valibot';
import {
  apiKeySchema,
  groupIdSchema,
  groupNameSchema,
  siteSettingsPatchSchema,
} from './auth/account-schemas.js';
import { DEFAULT_RELAY_CONFIG, type RelayConfig } from './relay/types.js';
import { isPostgresUrl, redactDatabaseUrl } from './store/postgres.js';
import { SecretBoxError, parseSecretKey } from './store/secret-box.js';
import type { Site, SiteSettings } from './store/store.js';

/** pino levels accepted for `logLevel`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** A pino log level. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A group applied to the store at every start: created if missing, settings merged in. */
export interface GroupConfig {
  /** 4–6 digits, as in Glance. */
  id: string;
  /** Shown to agents; also updates the stored name. */
  name: string;
  /** Secret that signs SSO login keys; when given, replaces the stored one. */
  apiKey?: string;
  /** Settings per site, merged into the stored settings. */
  settings?: Partial<Record<Site, Partial<SiteSettings>>>;
}

/** The demo: a demo site on a second origin, and the demo group and agent it uses. */
export interface DemoConfig {
  /** Serve the demo site. Default true; `--no-demo` or `COBROWSE_DEMO=off` turns it off. */
  enabled: boolean;
  /** Port of the demo site; undefined = the server's port + 1 (or 0 when the server's is 0). */
  port: number | undefined;
  /** The demo agent's password (`COBROWSE_DEMO_PASSWORD`); undefined = generate one at first start. */
  password: string | undefined;
  /** The demo group's API key (`COBROWSE_DEMO_API_KEY`); undefined = generate one at first start. */
  apiKey: string | undefined;
}

/** Everything `startServer` needs. */
export interface ServerConfig {
  /** TCP port of the server; 0 picks a free one. Default 8080. */
  port: number;
  /** Interface to listen on. Default `127.0.0.1` (this machine only). */
  host: string;
  /**
   * Directory of the SQLite store and of the secret key file; created if missing. Default
   * `./data`, absolute.
   */
  dataDir: string;
  /**
   * `postgres://…` to keep the store in PostgreSQL instead of the SQLite file (clusters).
   * Default undefined: SQLite in `dataDir`.
   */
  databaseUrl: string | undefined;
  /**
   * The installation's secret key (64 hex digits or 43 base64url characters) that seals
   * API keys at rest. Default undefined: the `secret.key` file in `dataDir`, created at
   * first start. Servers sharing one PostgreSQL database need the same key.
   */
  secretKey: string | undefined;
  /**
   * The server's URL as browsers see it (printed URLs, the demo site's script tag, the
   * agent-socket origin check). Undefined = `http://localhost:<actual port>`.
   */
  publicUrl: string | undefined;
  /** pino log level. Default `info`. */
  logLevel: LogLevel;
  /** Trust `X-Forwarded-*` headers from a reverse proxy (client IP, https). Default false. */
  trustProxy: boolean;
  /** Failed logins allowed per minute per client IP and per username. Default 10. */
  loginMaxFailuresPerMinute: number;
  /**
   * Unknown session keys an agent may try on the viewer URL without `Wait=1` per minute,
   * counted per client IP and per agent. Default 20.
   */
  sessionLookupMaxFailuresPerMinute: number;
  demo: DemoConfig;
  /**
   * Origins of CRM pages that may embed the viewer in an iframe and drive it through the
   * Agent API (`https://crm.example.com`, exact origins). Default none: the viewer can be
   * embedded by this server's own pages only.
   */
  crmOrigins: string[];
  /** Groups from the config file. Default none. */
  groups: GroupConfig[];
  /** Relay limits overriding `DEFAULT_RELAY_CONFIG`. Default none. */
  relay: Partial<RelayConfig>;
  /** Built browser bundles served under /static. Default `<package>/dist/public`. */
  publicDir: string;
  /** Pages of the demo site. Default `<package>/demo/site`. */
  demoSiteDir: string;
}

/** CLI flags, when given on the command line (undefined = not given). */
export interface ConfigFlags {
  port?: string | number;
  host?: string;
  dataDir?: string;
  databaseUrl?: string;
  config?: string;
  demoPort?: string | number;
  /** false for `--no-demo`. */
  demo?: boolean;
  publicUrl?: string;
  logLevel?: string;
}

/** A configuration value that cannot be used, with the field and source named. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

// ---------------------------------------------------------------------------------------------
// Config file schema

const positiveInt = v.pipe(v.number(), v.integer(), v.minValue(1));
const portNumber = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(65535));

const groupSchema = v.strictObject({
  id: groupIdSchema,
  name: groupNameSchema,
  apiKey: v.optional(apiKeySchema),
  settings: v.optional(
    v.strictObject({
      staging: v.optional(siteSettingsPatchSchema),
      production: v.optional(siteSettingsPatchSchema),
    }),
  ),
});

const relaySchema = v.strictObject(
  Object.fromEntries(
    Object.keys(DEFAULT_RELAY_CONFIG).map((name) => [name, v.optional(positiveInt)]),
  ) as Record<keyof RelayConfig, v.OptionalSchema<typeof positiveInt, undefined>>,
);

const fileSchema = v.strictObject({
  port: v.optional(portNumber),
  host: v.optional(v.pipe(v.string(), v.minLength(1))),
  dataDir: v.optional(v.pipe(v.string(), v.minLength(1))),
  databaseUrl: v.optional(v.pipe(v.string(), v.minLength(1))),
  publicUrl: v.optional(v.string()),
  crmOrigins: v.optional(v.array(v.string())),
  logLevel: v.optional(v.picklist(LOG_LEVELS)),
  trustProxy: v.optional(v.boolean()),
  loginMaxFailuresPerMinute: v.optional(positiveInt),
  sessionLookupMaxFailuresPerMinute: v.optional(positiveInt),
  demo: v.optional(
    v.strictObject({ enabled: v.optional(v.boolean()), port: v.optional(portNumber) }),
  ),
  groups: v.optional(
    v.pipe(
      v.array(groupSchema),
      v.check(
        (groups) => new Set(groups.map((g) => g.id)).size === groups.length,
        'group ids must be unique',
      ),
    ),
  ),
  relay: v.optional(relaySchema),
});

/** The contents of a config file. */
export type ConfigFile = v.InferOutput<typeof fileSchema>;

function issuePath(issue: v.BaseIssue<unknown>): string {
  let text = '';
  for (const item of issue.path ?? []) {
    text +=
      typeof item.key === 'number'
        ? `[${item.key}]`
        : text
          ? `.${String(item.key)}`
          : String(item.key);
  }
  return text;
}

/** Validates a parsed config file; `source` names it in errors. */
export function parseConfigFile(json: unknown, source: string): ConfigFile {
  const result = v.safeParse(fileSchema, json);
  if (result.success) return result.output;
  const lines = result.issues.slice(0, 5).map((issue) => {
    const where = issuePath(issue);
    // valibot's strictObject names an unknown key in `input`; say so plainly.
    const message =
      issue.type === 'strict_object' ? `unknown option "${String(issue.input)}"` : issue.message;
    return `${source}: ${where || '(top level)'}: ${message}`;
  });
  return fail(lines.join('\n'));
}

/** Reads and validates a JSON config file. */
export function readConfigFile(file: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return fail(`cannot read config file ${file}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return fail(`config file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  return parseConfigFile(json, file);
}

// ---------------------------------------------------------------------------------------------
// Values from flags and environment

function fail(message: string): never {
  throw new ConfigError(message);
}

function parsePort(value: string | number, source: string): number {
  const port = typeof value === 'number' ? value : /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    fail(`${source}: must be a port number 0–65535, got "${value}"`);
  return port;
}

function parseLogLevel(value: string, source: string): LogLevel {
  const level = value.trim().toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level))
    fail(`${source}: must be one of ${LOG_LEVELS.join(', ')}, got "${value}"`);
  return level as LogLevel;
}

function parseBoolean(value: string, source: string): boolean {
  const text = value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(text)) return true;
  if (['0', 'false', 'no', 'off'].includes(text)) return false;
  return fail(`${source}: must be on/off (true/false, 1/0), got "${value}"`);
}

function parsePublicUrl(value: string, source: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail(
      `${source}: must be an absolute http(s) URL like https://cobrowse.example.com, got "${value}"`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    fail(`${source}: must use http or https, got "${value}"`);
  // Keep a path prefix (a proxy may mount us under one) but never a trailing slash.
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** Walks up from this module to the package root (works from src/ and from the dist/ bundle). */
export function findPackageRoot(
  from: string = path.dirname(fileURLToPath(import.meta.url)),
): string {
  let dir = from;
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if (
          (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'opencobrowse'
        )
          return dir;
      } catch {
        // an unreadable package.json is not ours; keep walking
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return fail(`cannot find the opencobrowse package root above ${from}`);
    dir = parent;
  }
}

/** Checks a list of exact origins (`scheme://host[:port]`, nothing after). */
function parseOrigins(values: readonly string[], source: string): string[] {
  return values
    .map((value) => value.trim())
    .filter((value) => value !== '')
    .map((value) => {
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        return fail(`${source}: "${value}" is not an origin like https://crm.example.com`);
      }
      // No wildcards: the viewer answers postMessage from exact origins only.
      const exact = url.origin === value.replace(/\/$/, '') && !url.hostname.includes('*');
      if ((url.protocol !== 'https:' && url.protocol !== 'http:') || !exact) {
        return fail(`${source}: "${value}" is not an origin like https://crm.example.com (scheme, host and port only)`);
      }
      return url.origin;
    });
}

/** A complete config from defaults and the fields given (for tests and embedding). */
export function createConfig(
  overrides: Partial<ServerConfig> = {},
  cwd: string = process.cwd(),
): ServerConfig {
  const root = overrides.publicDir && overrides.demoSiteDir ? '' : findPackageRoot();
  const port = overrides.port ?? 8080;
  return {
    port,
    host: overrides.host ?? '127.0.0.1',
    dataDir: path.resolve(cwd, overrides.dataDir ?? 'data'),
    databaseUrl: overrides.databaseUrl,
    secretKey: overrides.secretKey,
    publicUrl: overrides.publicUrl,
    logLevel: overrides.logLevel ?? 'info',
    trustProxy: overrides.trustProxy ?? false,
    loginMaxFailuresPerMinute: overrides.loginMaxFailuresPerMinute ?? 10,
    sessionLookupMaxFailuresPerMinute: overrides.sessionLookupMaxFailuresPerMinute ?? 20,
    demo: {
      enabled: overrides.demo?.enabled ?? true,
      port: overrides.demo?.port,
      password: overrides.demo?.password,
      apiKey: overrides.demo?.apiKey,
    },
    crmOrigins: overrides.crmOrigins ?? [],
    groups: overrides.groups ?? [],
    relay: overrides.relay ?? {},
    publicDir: overrides.publicDir ?? path.join(root, 'dist', 'public'),
    demoSiteDir: overrides.demoSiteDir ?? path.join(root, 'demo', 'site'),
  };
}

/** Where `loadConfig` reads from. */
export interface ConfigSources {
  /** Flags given on the command line. */
  flags?: ConfigFlags;
  /** Environment. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Base of relative paths. Default `process.cwd()`. */
  cwd?: string;
}

/** Builds the config: flags > environment > config file > defaults. */
export function loadConfig(sources: ConfigSources = {}): ServerConfig {
  const flags = sources.flags ?? {};
  const env = sources.env ?? process.env;
  const cwd = sources.cwd ?? process.cwd();
  const nonEmpty = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value;
  };

  const configPath = flags.config ?? nonEmpty('COBROWSE_CONFIG');
  const file: ConfigFile = configPath ? readConfigFile(path.resolve(cwd, configPath)) : {};
  // Relative paths in a config file are relative to the file, not to where the server starts.
  const fileDir = configPath ? path.dirname(path.resolve(cwd, configPath)) : cwd;

  const envPort = nonEmpty('PORT');
  const port =
    flags.port !== undefined
      ? parsePort(flags.port, '--port')
      : envPort !== undefined
        ? parsePort(envPort, 'PORT')
        : (file.port ?? 8080);

  const envDemoPort = nonEmpty('DEMO_PORT');
  const demoPort =
    flags.demoPort !== undefined
      ? parsePort(flags.demoPort, '--demo-port')
      : envDemoPort !== undefined
        ? parsePort(envDemoPort, 'DEMO_PORT')
        : file.demo?.port;

  const envDemo = nonEmpty('COBROWSE_DEMO');
  const demoEnabled =
    flags.demo ??
    (envDemo !== undefined ? parseBoolean(envDemo, 'COBROWSE_DEMO') : file.demo?.enabled);

  const envLevel = nonEmpty('LOG_LEVEL');
  const logLevel =
    flags.logLevel !== undefined
      ? parseLogLevel(flags.logLevel, '--log-level')
      : envLevel !== undefined
        ? parseLogLevel(envLevel, 'LOG_LEVEL')
        : file.logLevel;

  const publicUrlText = flags.publicUrl ?? nonEmpty('PUBLIC_URL') ?? file.publicUrl;
  const publicUrlSource =
    flags.publicUrl !== undefined
      ? '--public-url'
      : nonEmpty('PUBLIC_URL')
        ? 'PUBLIC_URL'
        : `${configPath}: publicUrl`;

  const envTrust = nonEmpty('TRUST_PROXY');
  const dataDir = flags.dataDir
    ? path.resolve(cwd, flags.dataDir)
    : nonEmpty('DATA_DIR')
      ? path.resolve(cwd, nonEmpty('DATA_DIR') as string)
      : file.dataDir
        ? path.resolve(fileDir, file.dataDir)
        : path.resolve(cwd, 'data');

  const demoApiKey = nonEmpty('COBROWSE_DEMO_API_KEY');
  if (demoApiKey !== undefined) {
    const issue = v.safeParse(apiKeySchema, demoApiKey).issues?.[0];
    if (issue) fail(`COBROWSE_DEMO_API_KEY: ${issue.message}`);
  }

  const envDatabaseUrl = nonEmpty('DATABASE_URL');
  const databaseUrl = flags.databaseUrl ?? envDatabaseUrl ?? file.databaseUrl;
  if (databaseUrl !== undefined && !isPostgresUrl(databaseUrl)) {
    const source =
      flags.databaseUrl !== undefined
        ? '--database-url'
        : envDatabaseUrl !== undefined
          ? 'DATABASE_URL'
          : `${configPath}: databaseUrl`;
    fail(
      `${source}: must be a PostgreSQL URL like postgres://user:password@host:5432/database, got "${redactDatabaseUrl(databaseUrl)}" (leave it unset for the embedded SQLite store)`,
    );
  }

  const secretKey = nonEmpty('COBROWSE_SECRET_KEY');
  if (secretKey !== undefined) {
    try {
      parseSecretKey(secretKey, 'COBROWSE_SECRET_KEY');
    } catch (error) {
      if (error instanceof SecretBoxError) fail(error.message);
      throw error;
    }
  }

  return createConfig(
    {
      port,
      host: flags.host ?? nonEmpty('HOST') ?? file.host ?? '127.0.0.1',
      dataDir,
      databaseUrl,
      secretKey,
      publicUrl:
        publicUrlText === undefined ? undefined : parsePublicUrl(publicUrlText, publicUrlSource),
      logLevel: logLevel ?? 'info',
      trustProxy:
        envTrust !== undefined ? parseBoolean(envTrust, 'TRUST_PROXY') : (file.trustProxy ?? false),
      loginMaxFailuresPerMinute: file.loginMaxFailuresPerMinute ?? 10,
      sessionLookupMaxFailuresPerMinute: file.sessionLookupMaxFailuresPerMinute ?? 20,
      demo: {
        enabled: demoEnabled ?? true,
        port: demoPort,
        password: nonEmpty('COBROWSE_DEMO_PASSWORD'),
        apiKey: demoApiKey,
      },
      crmOrigins: parseOrigins(
        nonEmpty('COBROWSE_CRM_ORIGINS')?.split(',') ?? file.crmOrigins ?? [],
        nonEmpty('COBROWSE_CRM_ORIGINS') !== undefined ? 'COBROWSE_CRM_ORIGINS' : `${configPath}: crmOrigins`,
      ),
      groups: file.groups ?? [],
      relay: file.relay ?? {},
    },
    cwd,
  );
}
