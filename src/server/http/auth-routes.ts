/**
 * Sign-in and sign-out ([AV2], [AV4]). `GET /login` shows the form with a CSRF token
 * bound to the `oc_csrf` cookie; `POST /login` checks the token (guard), the throttle and
 * the password, then starts a web session and returns to `next`; `POST /logout` ends it.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CSRF_COOKIE, safeEqual } from '../auth/csrf.js';
import { verifyAgainstDummy, verifyPassword } from '../auth/password.js';
import type { AuditEntry } from '../store/store.js';
import type { HttpDeps } from './context.js';
import { refuseCsrf, submittedCsrfToken } from './csrf-guard.js';
import { renderMessagePage } from './html.js';
import { loginPage } from './pages.js';
import { safeNextPath, type RequestAuth } from './request-auth.js';

/** Longest username and password looked at; longer is refused before any hashing. */
const MAX_USERNAME_LENGTH = 200;
const MAX_PASSWORD_LENGTH = 1000;
/** Cap of the login form body, bytes. */
const LOGIN_BODY_LIMIT = 16 * 1024;

function field(body: unknown, name: string): string {
  const value =
    body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value : '';
}

/** Registers /login and /logout. */
export function registerAuthRoutes(app: FastifyInstance, deps: HttpDeps, auth: RequestAuth): void {
  /** The `oc_csrf` cookie of the browser, set now if it has none. */
  const csrfCookie = (request: FastifyRequest, reply: FastifyReply): string => {
    const existing = request.cookies[CSRF_COOKIE];
    if (existing && /^[A-Za-z0-9_-]{32}$/.test(existing)) return existing;
    const cookie = deps.loginCsrf.newCookie();
    reply.setCookie(CSRF_COOKIE, cookie, {
      httpOnly: true,
      sameSite: 'lax',
      secure: request.protocol === 'https',
      path: '/',
    });
    return cookie;
  };

  const showForm = (
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    options: { next: string; username?: string; error?: string },
  ) => {
    const csrfToken = deps.loginCsrf.tokenFor(csrfCookie(request, reply));
    return reply
      .code(status)
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(loginPage({ csrfToken, ...options }));
  };

  const audit = (entry: Omit<AuditEntry, 'at' | 'sessionId' | 'sessionKey'>) =>
    deps.store
      .appendAudit({ ...entry, at: Date.now(), sessionId: null, sessionKey: null })
      .catch((error: unknown) => deps.logger.error({ err: error }, 'audit write failed'));

  app.get('/login', async (request, reply) => {
    const next = safeNextPath((request.query as Record<string, unknown>)['next']);
    if (await auth.signedIn(request)) return reply.redirect(next, 302);
    return showForm(request, reply, 200, { next });
  });

  app.post(
    '/login',
    { config: { csrf: 'login' }, bodyLimit: LOGIN_BODY_LIMIT },
    async (request, reply) => {
      const username = field(request.body, 'username').trim();
      const password = field(request.body, 'password');
      const next = safeNextPath(field(request.body, 'next'));
      if (
        !username ||
        !password ||
        username.length > MAX_USERNAME_LENGTH ||
        password.length > MAX_PASSWORD_LENGTH
      ) {
        return showForm(request, reply, 400, {
          next,
          username: username.slice(0, MAX_USERNAME_LENGTH),
          error: 'Enter your username and password.',
        });
      }

      const wait = deps.loginThrottle.retryAfterMs(request.ip, username);
      if (wait > 0) {
        const seconds = Math.ceil(wait / 1000);
        request.log.warn({ ip: request.ip, username }, 'login throttled');
        return reply
          .code(429)
          .header('retry-after', String(seconds))
          .header('cache-control', 'no-store')
          .type('text/html; charset=utf-8')
          .send(
            renderMessagePage({
              title: 'Too many sign-in attempts',
              message: `There were too many failed sign-in attempts for this account or from your network. Wait ${seconds} seconds, then try again.`,
              links: [{ href: `/login?next=${encodeURIComponent(next)}`, text: 'Back to sign in' }],
            }),
          );
      }

      const agent = await deps.store.findAgentByUsername(username);
      // Unknown users cost as much time as wrong passwords: no probing for usernames.
      const valid = agent?.passwordHash
        ? await verifyPassword(password, agent.passwordHash)
        : await verifyAgainstDummy(password);
      if (!agent || !valid || agent.disabled) {
        deps.loginThrottle.recordFailure(request.ip, username);
        const reason = !agent ? 'unknown user' : !valid ? 'wrong password' : 'disabled';
        request.log.info({ ip: request.ip, username, reason }, 'login failed');
        if (agent)
          void audit({
            event: 'agent.login_failed',
            groupId: agent.groupId,
            agentId: agent.id,
            detail: { reason, ip: request.ip },
          });
        // A disabled agent learns only that, after proving the password: it is no secret to them.
        const error =
          agent && valid && agent.disabled
            ? 'This account is disabled. Ask your administrator.'
            : 'Wrong username or password.';
        return showForm(request, reply, 401, { next, username, error });
      }

      const session = await deps.webSessions.create(agent.id);
      auth.setSessionCookie(request, reply, session.cookie, session.expiresAt);
      void audit({
        event: 'agent.login',
        groupId: agent.groupId,
        agentId: agent.id,
        detail: { ip: request.ip },
      });
      request.log.info({ agentId: agent.id, username }, 'agent signed in');
      // 303: the browser follows with GET, so a reload never re-posts the password.
      return reply.redirect(next, 303);
    },
  );

  app.post(
    '/logout',
    { config: { csrf: 'self' }, bodyLimit: LOGIN_BODY_LIMIT },
    async (request, reply) => {
      const signedIn = await auth.signedIn(request);
      if (!signedIn) {
        auth.clearSessionCookie(request, reply);
        return reply.redirect('/login', 303);
      }
      const token = submittedCsrfToken(request);
      if (token === undefined || !safeEqual(signedIn.session.csrfToken, token))
        return refuseCsrf(request, reply);
      await deps.store.deleteWebSession(signedIn.session.idHash);
      auth.clearSessionCookie(request, reply);
      return reply.redirect('/login', 303);
    },
  );
}
