/**
 * What the HTTP routes are built from. The routes are a thin shell (STYLE §3): they read
 * sessions from the relay through `SessionDirectory`, accounts from the store, and prove
 * identities with the auth module.
 */
import type { Logger } from 'pino';
import type { Accounts } from '../auth/accounts.js';
import type { LoginCsrf } from '../auth/csrf.js';
import type { LoginThrottle } from '../auth/login-throttle.js';
import type { SsoAuthenticator } from '../auth/sso.js';
import type { TicketSigner } from '../auth/tickets.js';
import type { WebSessions } from '../auth/web-sessions.js';
import type { SessionInfo } from '../relay/types.js';
import type { Store } from '../store/store.js';

/** The part of the relay the HTTP routes read: live sessions by group. */
export interface SessionDirectory {
  findSession(groupId: string, key: string): SessionInfo | undefined;
  listSessions(groupId: string): SessionInfo[];
}

/** Dependencies of the HTTP app. */
export interface HttpDeps {
  store: Store;
  sessions: SessionDirectory;
  tickets: TicketSigner;
  webSessions: WebSessions;
  loginCsrf: LoginCsrf;
  loginThrottle: LoginThrottle;
  /**
   * Failed session-key lookups on the viewer URL (an unknown key answers 404, so guessing
   * codes is counted per IP and per agent; beyond the limit every lookup answers 429).
   */
  sessionLookupThrottle: LoginThrottle;
  /** Failed API-key authentications of the REST API, per IP. */
  apiKeyThrottle: LoginThrottle;
  /** Signs agents in with Glance login keys on the viewer URL. */
  sso: SsoAuthenticator;
  /** Administration of groups, agents and settings (admin UI, REST API). */
  accounts: Accounts;
  logger: Logger;
  /** Directory of the built browser bundles (served under /static). */
  publicDir: string;
  /** Trust `X-Forwarded-*` from a reverse proxy. */
  trustProxy: boolean;
  /** Origins of CRM pages that may embed the viewer (config `crmOrigins`). */
  crmOrigins: readonly string[];
}
