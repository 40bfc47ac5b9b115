/**
 * CSRF protection of every state-changing request ([AV4], DESIGN §5). Safe by default: a
 * POST/PUT/PATCH/DELETE route is refused unless it carries the signed-in web session's
 * token (form field `csrf` or header `X-CSRF-Token`). The login form, made before there is
 * a session, uses the token bound to the `oc_csrf` cookie instead (`config.csrf: 'login'`);
 * a route that checks by itself says `config.csrf: 'self'`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CSRF_COOKIE, safeEqual, type LoginCsrf } from '../auth/csrf.js';
import { renderMessagePage } from './html.js';
import type { RequestAuth } from './request-auth.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** How the CSRF guard checks this route; default: the web session's token. */
    csrf?: 'login' | 'self';
  }
}

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The CSRF token a request submitted, from the form body or the header. */
export function submittedCsrfToken(request: FastifyRequest): string | undefined {
  const body = request.body as Record<string, unknown> | undefined;
  const field = body && typeof body === 'object' ? body['csrf'] : undefined;
  if (typeof field === 'string') return field;
  const header = request.headers['x-csrf-token'];
  return typeof header === 'string' ? header : undefined;
}

/** Answers a request whose CSRF token is missing or wrong with 403. */
export function refuseCsrf(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  request.log.warn({ url: request.routeOptions.url }, 'CSRF check failed');
  if (request.url.startsWith('/api/')) {
    return reply.code(403).send({ error: 'csrf', message: 'Missing or invalid CSRF token.' });
  }
  return reply
    .code(403)
    .type('text/html; charset=utf-8')
    .send(
      renderMessagePage({
        title: 'Form expired',
        message:
          'This form has expired or was not sent from this site, so nothing was done. Go back, reload the page and try again.',
        links: [{ href: '/login', text: 'Go to sign in' }],
      }),
    );
}

/** Installs the guard on every route of `app`. */
export function registerCsrfGuard(
  app: FastifyInstance,
  auth: RequestAuth,
  loginCsrf: LoginCsrf,
): void {
  app.addHook('preHandler', async (request, reply) => {
    if (!UNSAFE_METHODS.has(request.method)) return;
    const mode = request.routeOptions.config.csrf;
    if (mode === 'self') return;
    if (mode === 'login') {
      if (!loginCsrf.check(request.cookies[CSRF_COOKIE], submittedCsrfToken(request)))
        return refuseCsrf(request, reply);
      return;
    }
    const signedIn = await auth.signedIn(request);
    const token = submittedCsrfToken(request);
    if (!signedIn || token === undefined || !safeEqual(signedIn.session.csrfToken, token)) {
      return refuseCsrf(request, reply);
    }
  });
}
