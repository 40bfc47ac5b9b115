/**
 * Signed-in browser sessions ([AV4]). The cookie carries 32 random bytes; the store keeps
 * only their SHA-256, so a leaked database cannot be replayed as cookies. Each session has
 * its own CSRF token for the forms of signed-in pages.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Agent, Store, WebSession } from '../store/store.js';

/** Name of the session cookie. */
export const SESSION_COOKIE = 'oc_session';
/** How long a sign-in lasts, ms. */
export const WEB_SESSION_TTL_MS = 12 * 60 * 60 * 1000;

/** The cookie value and CSRF token of a new session. */
export interface NewWebSession {
  cookie: string;
  csrfToken: string;
  expiresAt: number;
}

/** A valid session and its (enabled) agent. */
export interface SignedIn {
  session: WebSession;
  agent: Agent;
}

/** SHA-256 of a cookie value, as stored. */
export function hashSessionId(cookie: string): string {
  return createHash('sha256').update(cookie).digest('base64url');
}

/** Creates, resolves and ends web sessions in the store. */
export class WebSessions {
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly store: Store,
    options: { ttlMs?: number; now?: () => number } = {},
  ) {
    this.ttlMs = options.ttlMs ?? WEB_SESSION_TTL_MS;
    this.now = options.now ?? Date.now;
  }

  /** Starts a session for an agent who just proved their password. */
  async create(agentId: number): Promise<NewWebSession> {
    const cookie = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(32).toString('base64url');
    const createdAt = this.now();
    const expiresAt = createdAt + this.ttlMs;
    await this.store.createWebSession({
      idHash: hashSessionId(cookie),
      agentId,
      csrfToken,
      expiresAt,
      createdAt,
    });
    return { cookie, csrfToken, expiresAt };
  }

  /** The session and agent of a cookie value, if it is live and the agent may still sign in. */
  async resolve(cookie: string | undefined): Promise<SignedIn | undefined> {
    // A real cookie is 43 base64url characters; anything else is not worth a query.
    if (!cookie || !/^[A-Za-z0-9_-]{43}$/.test(cookie)) return undefined;
    const session = await this.store.getWebSession(hashSessionId(cookie));
    if (!session) return undefined;
    if (session.expiresAt <= this.now()) {
      await this.store.deleteWebSession(session.idHash);
      return undefined;
    }
    const agent = await this.store.getAgent(session.agentId);
    if (!agent || agent.disabled) return undefined;
    return { session, agent };
  }

  /** Ends the session of a cookie value (sign out). */
  async destroy(cookie: string): Promise<void> {
    await this.store.deleteWebSession(hashSessionId(cookie));
  }

  /** Removes expired sessions; returns how many. */
  purgeExpired(): Promise<number> {
    return this.store.deleteExpiredWebSessions(this.now());
  }
}
