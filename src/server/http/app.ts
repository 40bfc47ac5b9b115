/**
 * The HTTP app: Fastify with cookies, forms, security headers and the CSRF guard, and the
 * routes for scripts, sign-in, viewer, console, admin UI and REST API. It does not listen;
 * `server.ts` does, and attaches the WebSocket endpoints to the same HTTP server.
 */
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
} from 'fastify';
import { registerAdminRoutes } from './admin/admin-routes.js';
import { registerApiRoutes } from './api/routes.js';
import { registerAuthRoutes } from './auth-routes.js';
import { registerConsoleRoutes } from './console-routes.js';
import type { HttpDeps } from './context.js';
import { registerCsrfGuard } from './csrf-guard.js';
import { renderMessagePage } from './html.js';
import { RequestAuth } from './request-auth.js';
import { registerScriptRoutes } from './script-routes.js';
import { registerSecurityHeaders } from './security-headers.js';
import { registerViewerRoutes } from './viewer-routes.js';

/** Largest request body accepted anywhere, bytes (forms only; no uploads). */
const BODY_LIMIT = 64 * 1024;

function wantsJson(url: string): boolean {
  return url.startsWith('/api/') || url === '/healthz';
}

/** Builds the HTTP app (not listening yet). */
export async function createHttpApp(deps: HttpDeps): Promise<FastifyInstance> {
  const app = Fastify({
    // pino 10's Logger type is wider than fastify's FastifyBaseLogger; at run time it is the
    // logger fastify expects (fastify itself depends on pino).
    loggerInstance: deps.logger as unknown as FastifyBaseLogger,
    trustProxy: deps.trustProxy,
    bodyLimit: BODY_LIMIT,
    // Per-request lines are written by the onResponse hook below, at levels that keep
    // the console's 2 s polling and script downloads out of an info-level log.
    logController: new LogController({ disableRequestLogging: true }),
    // Glance-era clients may send "//static/x" or a trailing slash; do not 404 them.
    routerOptions: { ignoreDuplicateSlashes: true, ignoreTrailingSlash: true },
  });

  await app.register(fastifyCookie);
  await app.register(fastifyFormbody);
  registerSecurityHeaders(app);

  const auth = new RequestAuth(deps.webSessions);
  registerCsrfGuard(app, auth, deps.loginCsrf);

  app.addHook('onResponse', async (request, reply) => {
    const status = reply.statusCode;
    const line = {
      method: request.method,
      path: request.url.split('?')[0],
      status,
      ms: Math.round(reply.elapsedTime),
      ip: request.ip,
    };
    if (status >= 500) request.log.error(line, 'request failed');
    else if (status >= 400) request.log.info(line, 'request refused');
    else request.log.debug(line, 'request');
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status =
      error.statusCode && error.statusCode >= 400 && error.statusCode < 600
        ? error.statusCode
        : 500;
    if (status >= 500) request.log.error({ err: error }, 'request handler failed');
    // Client errors (bad body, too large, bad content type) say what was wrong; server
    // errors never show internals.
    const message =
      status >= 500
        ? 'Something went wrong on the server. Try again; if it persists, tell the administrator.'
        : error.message;
    if (wantsJson(request.url))
      return reply
        .code(status)
        .send({ error: status >= 500 ? 'internal' : 'bad_request', message });
    return reply
      .code(status)
      .type('text/html; charset=utf-8')
      .send(renderMessagePage({ title: status >= 500 ? 'Server error' : 'Bad request', message }));
  });

  app.setNotFoundHandler((request, reply) => {
    if (wantsJson(request.url))
      return reply.code(404).send({ error: 'not_found', message: 'No such endpoint.' });
    return reply
      .code(404)
      .type('text/html; charset=utf-8')
      .send(
        renderMessagePage({
          title: 'Page not found',
          message: 'There is nothing at this address.',
          links: [{ href: '/console', text: 'Go to the agent console' }],
        }),
      );
  });

  await registerScriptRoutes(app, deps);
  registerAuthRoutes(app, deps, auth);
  registerViewerRoutes(app, deps, auth);
  registerConsoleRoutes(app, deps, auth);
  registerAdminRoutes(app, deps, auth);
  registerApiRoutes(app, deps, auth);
  return app;
}
