/**
 * The viewer URL ([AV1]–[AV3]): `/agentjoin/AgentView.aspx?SessionKey=K&Wait=1`, also
 * `/cobrowse/AgentView.aspx` and `/agent/view`. Parameter names are case-insensitive and
 * `VisitorId` means `SessionKey`, as in Glance.
 *
 * With a Glance login key on the URL (`partnerid`, `partneruserid`, `loginkey`; docs/sso.md)
 * the agent is signed in first, then redirected to the same URL without the key, so it
 * stays out of the history and of Referer headers. In a CRM's cross-site iframe the
 * session cookie would not come back after a redirect (SameSite), so there the viewer is
 * served at once and removes the key from its address itself.
 *
 * Without `Wait=1` an unknown key answers 404, which would let anyone signed in test codes
 * one by one: failed lookups are counted per IP and per agent, and past the limit every
 * lookup answers 429 until the window ends.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SESSION_KEY_PATTERN } from '../../shared/protocol/control.js';
import { effectivePrivileges } from '../auth/agent-authenticator.js';
import { SSO_QUERY_PARAMETERS, ssoCredentialsFrom } from '../auth/sso.js';
import type { SsoCredentials } from '../auth/sso.js';
import type { AuditEntry } from '../store/store.js';
import type { HttpDeps } from './context.js';
import { renderMessagePage } from './html.js';
import { viewerPage } from './pages.js';
import { loginUrlFor, type RequestAuth } from './request-auth.js';
import { viewerCsp } from './security-headers.js';
import type { Agent } from '../store/store.js';

/** The paths that open the viewer. */
export const VIEWER_PATHS = [
  '/agentjoin/AgentView.aspx',
  '/cobrowse/AgentView.aspx',
  '/agent/view',
] as const;

/** Query parameters by lower-cased name (the first value of a repeated one). */
export function caseInsensitiveQuery(query: unknown): Map<string, string> {
  const result = new Map<string, string>();
  if (!query || typeof query !== 'object') return result;
  for (const [name, raw] of Object.entries(query as Record<string, unknown>)) {
    const value = Array.isArray(raw) ? raw[0] : raw;
    const lower = name.toLowerCase();
    if (typeof value === 'string' && !result.has(lower)) result.set(lower, value);
  }
  return result;
}

function sendPage(reply: FastifyReply, status: number, title: string, message: string) {
  return (
    reply
      .code(status)
      // The URL may hold a login key: never send it on in a Referer.
      .header('referrer-policy', 'no-referrer')
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(
        renderMessagePage({
          title,
          message,
          links: [{ href: '/console', text: 'Back to the console' }],
        }),
      )
  );
}

/** Whether the request loads an iframe of another site (Fetch Metadata). */
function framedCrossSite(request: FastifyRequest): boolean {
  return request.headers['sec-fetch-dest'] === 'iframe' && request.headers['sec-fetch-site'] === 'cross-site';
}

/** Registers the viewer routes. */
export function registerViewerRoutes(
  app: FastifyInstance,
  deps: HttpDeps,
  auth: RequestAuth,
): void {
  const audit = (entry: Omit<AuditEntry, 'at' | 'sessionId' | 'sessionKey'>) =>
    deps.store
      .appendAudit({ ...entry, at: Date.now(), sessionId: null, sessionKey: null })
      .catch((error: unknown) => deps.logger.error({ err: error }, 'audit write failed'));

  /**
   * Signs in with the URL's login key, then sends the browser to the URL without it, or
   * (framed by another site) returns the agent so the viewer is served at once.
   */
  const signInWithLoginKey = async (
    request: FastifyRequest,
    reply: FastifyReply,
    credentials: SsoCredentials,
  ): Promise<{ agent: Agent } | FastifyReply> => {
    const result = await deps.sso.authenticate(credentials, request.ip);
    if (!result.ok) {
      request.log.info(
        { ip: request.ip, reason: result.reason, agentId: result.agent?.id },
        'SSO sign-in refused',
      );
      if (result.agent && result.reason !== 'throttled')
        void audit({
          event: 'agent.login_failed',
          groupId: result.agent.groupId,
          agentId: result.agent.id,
          detail: { method: 'sso', reason: result.reason, ip: request.ip },
        });
      if (result.retryAfterS !== undefined) reply.header('retry-after', String(result.retryAfterS));
      return sendPage(reply, result.status, result.title, result.message);
    }
    const { agent } = result;
    const current = await auth.signedIn(request);
    if (current?.agent.id !== agent.id) {
      // Another agent signed in on this browser gives way to the one the CRM vouches for.
      if (current) await deps.store.deleteWebSession(current.session.idHash);
      const session = await deps.webSessions.create(agent.id);
      auth.setSessionCookie(request, reply, session.cookie, session.expiresAt);
      void audit({
        event: 'agent.login',
        groupId: agent.groupId,
        agentId: agent.id,
        detail: { method: 'sso', ip: request.ip },
      });
      request.log.info({ agentId: agent.id, username: agent.username }, 'agent signed in by SSO');
    }
    if (framedCrossSite(request)) return { agent };
    return reply
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .redirect(withoutLoginKey(request.url), 303);
  };

  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const query = caseInsensitiveQuery(request.query);
    const credentials = ssoCredentialsFrom(query);
    let ssoAgent: Agent | undefined;
    if (credentials) {
      const outcome = await signInWithLoginKey(request, reply, credentials);
      if (!('agent' in outcome)) return outcome;
      ssoAgent = outcome.agent;
    }

    const signedIn = ssoAgent ? { agent: ssoAgent } : await auth.signedIn(request);
    if (!signedIn)
      return reply.header('cache-control', 'no-store').redirect(loginUrlFor(request), 302);

    const key = query.get('sessionkey') ?? query.get('visitorid');
    const wait = ['1', 'true', 'yes'].includes((query.get('wait') ?? '').toLowerCase());
    if (key === undefined || key === '') {
      return sendPage(
        reply,
        400,
        'Session key missing',
        'The viewer address needs a SessionKey, for example ?SessionKey=1234&Wait=1.',
      );
    }
    if (!SESSION_KEY_PATTERN.test(key)) {
      return sendPage(
        reply,
        400,
        'Invalid session key',
        'A session key is 1 to 50 letters, digits, hyphens or underscores. Check the code the visitor gave you.',
      );
    }

    const { agent } = signedIn;
    if (!effectivePrivileges(agent).view) {
      return sendPage(
        reply,
        403,
        'Viewing not allowed',
        'Your account may not view sessions. Ask your administrator for the view privilege.',
      );
    }
    if (!wait) {
      const lookupUser = `agent:${agent.id}`;
      const retryAfterMs = deps.sessionLookupThrottle.retryAfterMs(request.ip, lookupUser);
      if (retryAfterMs > 0) {
        const seconds = Math.ceil(retryAfterMs / 1000);
        request.log.warn({ ip: request.ip, agentId: agent.id }, 'session lookups throttled');
        reply.header('retry-after', String(seconds));
        return sendPage(
          reply,
          429,
          'Too many unknown session keys',
          `Too many session keys that do not exist were tried from your account or network. Wait ${seconds} seconds, then check the code with the visitor and try again.`,
        );
      }
      // Only the agent's own group is searched: another group's key looks exactly unknown ([JN1]).
      if (!deps.sessions.findSession(agent.groupId, key)) {
        deps.sessionLookupThrottle.recordFailure(request.ip, lookupUser);
        return sendPage(
          reply,
          404,
          'No such session',
          `There is no live session with the key ${key}. Check the code with the visitor, or open the viewer with Wait=1 to wait for the session to start.`,
        );
      }
    }

    const ticket = deps.tickets.issueTicket({ agentId: agent.id, groupId: agent.groupId });
    return (
      reply
        .code(200)
        .header('content-security-policy', viewerCsp(deps.crmOrigins))
        // The page holds a ticket: never cache it, never send it in a Referer.
        .header('cache-control', 'no-store')
        .type('text/html; charset=utf-8')
        .send(
          viewerPage({
            key,
            wait,
            ticket,
            agent: { username: agent.username, name: agent.displayName || agent.username },
            crmOrigins: deps.crmOrigins,
            ...(ssoAgent ? { cleanUrl: withoutLoginKey(request.url) } : {}),
          }),
        )
    );
  };

  for (const url of VIEWER_PATHS) app.get(url, handler);
}

/** `url` (path and query) without the SSO parameters, in any letter case. */
export function withoutLoginKey(url: string): string {
  const parsed = new URL(url, 'http://opencobrowse.invalid');
  for (const name of [...parsed.searchParams.keys()]) {
    if (SSO_QUERY_PARAMETERS.includes(name.toLowerCase())) parsed.searchParams.delete(name);
  }
  return `${parsed.pathname}${parsed.search}`;
}
