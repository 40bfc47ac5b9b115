/**
 * The agent console: `GET /console` (live sessions of the agent's group and a join form),
 * `GET /api/sessions` (the same list as JSON, polled by /static/console.js), plus `GET /`
 * and the health check.
 */
import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from './context.js';
import { consolePage, toConsoleSession, type ConsoleSession } from './pages.js';
import { loginUrlFor, type RequestAuth } from './request-auth.js';

/** The body of `GET /api/sessions`. */
export interface SessionsResponse {
  sessions: ConsoleSession[];
}

/** Registers the console routes. */
export function registerConsoleRoutes(
  app: FastifyInstance,
  deps: HttpDeps,
  auth: RequestAuth,
): void {
  const sessionsOf = (groupId: string): ConsoleSession[] =>
    deps.sessions
      .listSessions(groupId)
      .map(toConsoleSession)
      .sort((a, b) => b.startedAt - a.startedAt);

  app.get('/', async (_request, reply) => reply.redirect('/console', 302));

  app.get('/healthz', async (_request, reply) =>
    reply.header('cache-control', 'no-store').send({ ok: true }),
  );

  app.get('/console', async (request, reply) => {
    const signedIn = await auth.signedIn(request);
    if (!signedIn)
      return reply.header('cache-control', 'no-store').redirect(loginUrlFor(request), 302);
    const { agent, session } = signedIn;
    const group = await deps.store.getGroup(agent.groupId);
    return reply
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(
        consolePage({
          agent,
          group,
          csrfToken: session.csrfToken,
          sessions: sessionsOf(agent.groupId),
        }),
      );
  });

  app.get('/api/sessions', async (request, reply) => {
    const signedIn = await auth.signedIn(request);
    reply.header('cache-control', 'no-store');
    if (!signedIn)
      return reply.code(401).send({ error: 'unauthorized', message: 'Not signed in.' });
    const body: SessionsResponse = { sessions: sessionsOf(signedIn.agent.groupId) };
    return reply.send(body);
  });
}
