/**
 * The REST API under `/api/v1` (docs/rest-api.md): JSON in and out, authenticated by a
 * group API key or an administrator's session (`api-auth.ts`), documented by the OpenAPI
 * document at `/api/v1/openapi.json` (`openapi.ts`).
 */
import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from '../context.js';
import type { RequestAuth } from '../request-auth.js';
import { AGENT_ROUTES } from './agent-routes.js';
import { apiActor } from './api-auth.js';
import { AUDIT_ROUTES } from './audit-routes.js';
import { GROUP_ROUTES } from './group-routes.js';
import { answerFor } from './json.js';
import { OPENAPI_DOCUMENT } from './openapi.js';
import type { ApiRoute } from './route.js';

/** Every authenticated REST route. */
export const API_ROUTES: readonly ApiRoute[] = [...GROUP_ROUTES, ...AGENT_ROUTES, ...AUDIT_ROUTES];

/** Path of the OpenAPI document (public: it holds no data). */
export const OPENAPI_PATH = '/api/v1/openapi.json';

function firstValues(query: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  if (!query || typeof query !== 'object') return result;
  for (const [name, raw] of Object.entries(query as Record<string, unknown>)) {
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (typeof value === 'string') result[name] = value;
  }
  return result;
}

/** Registers the REST API and its OpenAPI document. */
export function registerApiRoutes(app: FastifyInstance, deps: HttpDeps, auth: RequestAuth): void {
  for (const route of API_ROUTES) {
    app.route({
      method: route.method,
      url: route.url,
      // The API checks CSRF itself: a bearer key needs none, a session cookie needs the header.
      config: { csrf: 'self' },
      handler: async (request, reply) => {
        reply.header('cache-control', 'no-store');
        try {
          const actor = await apiActor(request, deps, auth);
          const result = await route.handler({
            request,
            reply,
            deps,
            actor,
            params: (request.params ?? {}) as Record<string, string>,
            query: firstValues(request.query),
          });
          if (result.status === 204) return reply.code(204).send();
          return reply.code(result.status).send(result.body);
        } catch (error) {
          const answer = answerFor(error);
          if (!answer) throw error; // the app's error handler answers 500 without details
          if (answer.status === 401)
            reply.header('www-authenticate', 'Bearer realm="OpenCobrowse"');
          return reply.code(answer.status).send(answer.body);
        }
      },
    });
  }

  app.get(OPENAPI_PATH, async (_request, reply) =>
    reply.header('cache-control', 'no-cache').send(OPENAPI_DOCUMENT),
  );
}
