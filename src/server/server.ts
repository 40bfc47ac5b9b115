/**
 * The server: composes the store, the in-process bus, the relay core, the HTTP app, the
 * WebSocket endpoints and the demo site (STYLE §3: this file is the thin shell that wires
 * them). `startServer(config)` returns once everything listens; `close()` undoes it all.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { Accounts, generateApiKey } from './auth/accounts.js';
import { createAgentAuthenticator } from './auth/agent-authenticator.js';
import { CSRF_SECRET_META_KEY, LoginCsrf } from './auth/csrf.js';
import { LoginThrottle } from './auth/login-throttle.js';
import { hashPassword, verifyPassword } from './auth/password.js';
import { SsoAuthenticator } from './auth/sso.js';
import { TICKET_SECRET_META_KEY, TicketSigner, loadOrCreateSecret } from './auth/tickets.js';
import { WebSessions } from './auth/web-sessions.js';
import { createMemoryBus } from './bus/memory.js';
import type { GroupConfig, ServerConfig } from './config.js';
import { startDemoSite, type DemoSite } from './demo-site.js';
import { createHttpApp } from './http/app.js';
import { createLogger } from './logger.js';
import { Relay } from './relay/relay.js';
import { DEFAULT_RELAY_CONFIG } from './relay/types.js';
import { loadOrCreateNodeId } from './store/node-id.js';
import { describeStore, openStore } from './store/open-store.js';
import { StoreError } from './store/sql-store.js';
import type { Site, Store } from './store/store.js';
import { attachWebSockets } from './ws/ws-adapter.js';
import { FRAME_HEADER_BYTES, MAX_CONTROL_MESSAGE_BYTES } from '../shared/protocol/index.js';

/** The demo group created at first start. */
export const DEMO_GROUP_ID = '10000';
/** The demo agent's username (the first administrator). */
export const DEMO_USERNAME = 'demo';
/** Meta key marking that the first-start demo data was created (it is never re-created). */
const DEMO_BOOTSTRAPPED_META_KEY = 'demo_bootstrapped';
/** How often expired web sessions are deleted from the store, ms. */
const WEB_SESSION_PURGE_INTERVAL_MS = 60 * 60 * 1000;

/** The demo agent's login, as far as this start knows it. */
export interface DemoCredentials {
  username: string;
  /** Known when generated at this start or given by `COBROWSE_DEMO_PASSWORD`; else undefined. */
  password: string | undefined;
  /** True when the password was generated at this start (print it: it is shown only once). */
  generated: boolean;
  groupId: string;
}

/** A started server. */
export interface RunningServer {
  /** The server's URL as browsers see it (`publicUrl`). */
  url: string;
  /** The port the server listens on. */
  port: number;
  /** The demo site's URL, when it runs. */
  demoUrl: string | undefined;
  /** The agent console's URL. */
  consoleUrl: string;
  relay: Relay;
  store: Store;
  /** Administration of groups, agents and settings (what the admin UI and REST API use). */
  accounts: Accounts;
  logger: Logger;
  /** The demo login, when the demo agent exists. */
  demoCredentials?: DemoCredentials;
  /**
   * Closes sockets (1012: clients reconnect), HTTP servers and the store, keeping live
   * sessions in the store for the next start ([RS2]). Safe to call more than once.
   */
  close(): Promise<void>;
}

/** Options of `startServer` beyond the config. */
export interface StartOptions {
  /** Logger to use instead of a new one at `config.logLevel`. */
  logger?: Logger;
}

function isWildcardOrLoopback(host: string): boolean {
  return ['0.0.0.0', '::', '127.0.0.1', '::1', 'localhost'].includes(host);
}

function hostForUrl(host: string): string {
  if (isWildcardOrLoopback(host)) return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

/** What `bootstrapDemo` did. */
interface DemoBootstrap {
  credentials: DemoCredentials | undefined;
  /** Marks the first start done: called once the server is up, so a failed first start runs again. */
  commit(): Promise<void>;
  /** Removes what a failed first start created, so the next start generates (and shows) a new password. */
  undo(): Promise<void>;
}

/** Runs `create`; a conflict (another node of the cluster created it first) is not an error. */
async function createUnlessExists<T>(create: () => Promise<T>): Promise<T | undefined> {
  try {
    return await create();
  } catch (error) {
    if (error instanceof StoreError && error.code === 'conflict') return undefined;
    throw error;
  }
}

/**
 * Creates the demo group and agent at first start (the first admin account); at every
 * start, applies `COBROWSE_DEMO_PASSWORD` and `COBROWSE_DEMO_API_KEY` when set, so the
 * environment stays the source of truth for what it sets. Nodes of a cluster starting
 * together on an empty database create them once between them.
 */
async function bootstrapDemo(
  store: Store,
  config: ServerConfig,
  logger: Logger,
): Promise<DemoBootstrap> {
  const { password: givenPassword, apiKey: givenApiKey } = config.demo;
  const nothing = async () => {};

  if ((await store.getMeta(DEMO_BOOTSTRAPPED_META_KEY)) === undefined) {
    if (!(await store.getGroup(DEMO_GROUP_ID))) {
      await createUnlessExists(() =>
        store.createGroup({
          id: DEMO_GROUP_ID,
          name: 'Demo',
          apiKey: givenApiKey ?? generateApiKey(),
        }),
      );
    }
    const password = givenPassword ?? randomBytes(12).toString('base64url');
    const agent = (await store.findAgentByUsername(DEMO_USERNAME))
      ? undefined
      : await createUnlessExists(async () =>
          store.createAgent({
            groupId: DEMO_GROUP_ID,
            username: DEMO_USERNAME,
            displayName: 'Demo Agent',
            email: '',
            title: 'Support',
            partnerUserId: 'demo',
            passwordHash: await hashPassword(password),
            role: 'admin',
            privileges: { view: true, remoteControl: true, navigate: true, screenShare: true },
            disabled: false,
          }),
        );
    if (agent) {
      logger.info(
        { groupId: DEMO_GROUP_ID, username: DEMO_USERNAME },
        'created the demo group and agent',
      );
      return {
        credentials: {
          username: DEMO_USERNAME,
          password,
          generated: givenPassword === undefined,
          groupId: DEMO_GROUP_ID,
        },
        commit: () => store.setMeta(DEMO_BOOTSTRAPPED_META_KEY, new Date().toISOString()),
        undo: async () => {
          await store.deleteAgent(agent.id);
        },
      };
    }
    await store.setMeta(DEMO_BOOTSTRAPPED_META_KEY, new Date().toISOString());
  }

  const demoGroup = givenApiKey !== undefined ? await store.getGroup(DEMO_GROUP_ID) : undefined;
  if (demoGroup && demoGroup.apiKey !== givenApiKey) {
    await store.updateGroup(DEMO_GROUP_ID, { apiKey: givenApiKey });
    logger.info({ groupId: DEMO_GROUP_ID }, 'demo group API key set from COBROWSE_DEMO_API_KEY');
  }
  const agent = await store.findAgentByUsername(DEMO_USERNAME);
  if (!agent) return { credentials: undefined, commit: nothing, undo: nothing };
  if (
    givenPassword !== undefined &&
    !(agent.passwordHash && (await verifyPassword(givenPassword, agent.passwordHash)))
  ) {
    await store.updateAgent(agent.id, { passwordHash: await hashPassword(givenPassword) });
    logger.info({ username: DEMO_USERNAME }, 'demo agent password set from COBROWSE_DEMO_PASSWORD');
  }
  const credentials = {
    username: DEMO_USERNAME,
    password: givenPassword,
    generated: false,
    groupId: agent.groupId,
  };
  return { credentials, commit: nothing, undo: nothing };
}

/** Creates missing groups of the config file and merges their settings into the store. */
async function applyConfiguredGroups(
  store: Store,
  groups: GroupConfig[],
  logger: Logger,
): Promise<void> {
  for (const group of groups) {
    const existing = await store.getGroup(group.id);
    if (!existing) {
      await store.createGroup({ id: group.id, name: group.name, apiKey: group.apiKey ?? null });
    } else if (
      existing.name !== group.name ||
      (group.apiKey !== undefined && existing.apiKey !== group.apiKey)
    ) {
      await store.updateGroup(group.id, {
        name: group.name,
        ...(group.apiKey !== undefined ? { apiKey: group.apiKey } : {}),
      });
    }
    for (const [site, patch] of Object.entries(group.settings ?? {}) as [Site, object][]) {
      await store.putSettings(group.id, site, patch);
    }
    logger.info({ groupId: group.id, created: !existing }, 'applied configured group');
  }
}

/** Starts the server described by `config`. */
export async function startServer(
  config: ServerConfig,
  options: StartOptions = {},
): Promise<RunningServer> {
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  // Everything opened so far, closed in reverse order by close() or a failed start.
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) {
      try {
        await close();
      } catch (error) {
        logger.error({ err: error }, 'error while closing');
      }
    }
    closers.length = 0;
  };

  let undoBootstrap: (() => Promise<void>) | undefined;
  try {
    const location = {
      dataDir: config.dataDir,
      databaseUrl: config.databaseUrl,
      secretKey: config.secretKey,
    };
    const store = await openStore(location, {
      onIdleError: (error) =>
        logger.warn({ err: error }, 'an idle database connection failed (it is replaced)'),
    });
    closers.push(() => store.close());

    const demoBootstrap = await bootstrapDemo(store, config, logger);
    undoBootstrap = () => demoBootstrap.undo();
    const demoCredentials = demoBootstrap.credentials;
    await applyConfiguredGroups(store, config.groups, logger);

    const tickets = new TicketSigner(await loadOrCreateSecret(store, TICKET_SECRET_META_KEY));
    const loginCsrf = new LoginCsrf(await loadOrCreateSecret(store, CSRF_SECRET_META_KEY));
    const webSessions = new WebSessions(store);
    const accounts = new Accounts(store, { logger: logger.child({ component: 'accounts' }) });
    const loginThrottle = new LoginThrottle({
      maxFailures: config.loginMaxFailuresPerMinute,
      windowMs: 60_000,
    });

    const bus = createMemoryBus();
    closers.push(() => bus.close());
    const nodeId = loadOrCreateNodeId(config.dataDir);
    if (!nodeId.persistent) {
      logger.warn(
        { dataDir: config.dataDir },
        'cannot keep a node id in the data directory: live sessions will not survive a restart of this server',
      );
    }
    const relay = new Relay({
      store,
      bus,
      nodeId: nodeId.id,
      logger: logger.child({ component: 'relay' }),
      config: config.relay,
      authenticateAgent: createAgentAuthenticator(store, tickets),
    });

    const app = await createHttpApp({
      store,
      sessions: relay,
      tickets,
      webSessions,
      loginCsrf,
      loginThrottle,
      sessionLookupThrottle: new LoginThrottle({
        maxFailures: config.sessionLookupMaxFailuresPerMinute,
        windowMs: 60_000,
      }),
      apiKeyThrottle: new LoginThrottle({
        maxFailures: config.loginMaxFailuresPerMinute,
        windowMs: 60_000,
      }),
      // Password and SSO failures count together, per IP and per user.
      sso: new SsoAuthenticator(store, loginThrottle),
      accounts,
      logger,
      publicDir: config.publicDir,
      trustProxy: config.trustProxy,
      crmOrigins: config.crmOrigins,
    });
    closers.push(() => app.close());

    // Filled in once listening (port 0 picks the port); the origin check reads it lazily.
    let allowedAgentOrigins = new Set<string>();
    const relayConfig = { ...DEFAULT_RELAY_CONFIG, ...config.relay };
    const webSockets = attachWebSockets(app.server, relay, {
      isAllowedAgentOrigin: (origin) => origin !== undefined && allowedAgentOrigins.has(origin),
      maxPayload:
        Math.max(
          relayConfig.maxKeyframeBytes,
          relayConfig.maxDeltaBytes,
          MAX_CONTROL_MESSAGE_BYTES,
        ) + FRAME_HEADER_BYTES,
      logger: logger.child({ component: 'ws' }),
    });
    // Reverse order at close: the relay first (1012 to every socket, so clients reconnect
    // and resume; live sessions stay in the store), then the WebSocket server, then HTTP,
    // so close() never waits on a socket.
    closers.push(() => webSockets.close());
    closers.push(() => relay.close());
    // [RS3] sessions live when the server last stopped (or crashed) wait for their visitors.
    await relay.restore();

    try {
      await app.listen({ port: config.port, host: config.host });
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'EADDRINUSE') {
        throw new Error(
          `port ${config.port} on ${config.host} is already in use; choose another with --port or PORT`,
          { cause: error },
        );
      }
      throw error;
    }
    const port = (app.server.address() as AddressInfo).port;
    const url = config.publicUrl ?? `http://${hostForUrl(config.host)}:${port}`;
    allowedAgentOrigins = new Set([
      new URL(url).origin,
      `http://localhost:${port}`,
      `http://127.0.0.1:${port}`,
      `http://[::1]:${port}`,
    ]);
    if (!isWildcardOrLoopback(config.host))
      allowedAgentOrigins.add(`http://${hostForUrl(config.host)}:${port}`);

    let demo: DemoSite | undefined;
    if (config.demo.enabled) {
      const demoPort = config.demo.port ?? (config.port === 0 ? 0 : port + 1);
      try {
        demo = await startDemoSite({
          dir: config.demoSiteDir,
          host: config.host,
          port: demoPort,
          cobrowseOrigin: url,
          logger: logger.child({ component: 'demo-site' }),
        });
      } catch (error) {
        if ((error as { code?: string }).code === 'EADDRINUSE') {
          throw new Error(
            `demo site port ${demoPort} on ${config.host} is already in use; choose another with --demo-port or DEMO_PORT, or turn the demo off with --no-demo`,
            { cause: error },
          );
        }
        throw error;
      }
      closers.push(() => demo?.close() ?? Promise.resolve());
    }
    // Reached directly (not through the proxy that may front the server): the public host
    // name when one is configured, else the listening host.
    const demoHost = config.publicUrl
      ? new URL(config.publicUrl).hostname
      : hostForUrl(config.host);
    const demoHostInUrl =
      demoHost.includes(':') && !demoHost.startsWith('[') ? `[${demoHost}]` : demoHost;
    const demoUrl = demo ? `http://${demoHostInUrl}:${demo.port}/` : undefined;

    const purge = setInterval(() => {
      webSessions
        .purgeExpired()
        .catch((error: unknown) =>
          logger.warn({ err: error }, 'purging expired web sessions failed'),
        );
    }, WEB_SESSION_PURGE_INTERVAL_MS);
    purge.unref();
    closers.push(async () => clearInterval(purge));

    await demoBootstrap.commit();
    undoBootstrap = undefined;

    const consoleUrl = `${url}/console`;
    logger.info(
      {
        url,
        consoleUrl,
        demoUrl,
        dataDir: config.dataDir,
        store: describeStore(location),
        demoUsername: demoCredentials?.username,
        // A generated password exists nowhere else: where stdout is the log (containers),
        // this line is how the operator learns it. A chosen one is never logged.
        ...(demoCredentials?.generated ? { demoPassword: demoCredentials.password } : {}),
      },
      'OpenCobrowse started',
    );

    let closing: Promise<void> | undefined;
    return {
      url,
      port,
      demoUrl,
      consoleUrl,
      relay,
      store,
      accounts,
      logger,
      ...(demoCredentials ? { demoCredentials } : {}),
      close: () =>
        (closing ??= closeAll().then(() => {
          logger.info('OpenCobrowse stopped');
        })),
    };
  } catch (error) {
    try {
      await undoBootstrap?.();
    } catch (undoError) {
      logger.error({ err: undoError }, 'could not undo the demo bootstrap of a failed start');
    }
    await closeAll();
    throw error;
  }
}
