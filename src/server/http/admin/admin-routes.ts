/**
 * The admin UI at `/admin` (docs/admin.md): server-rendered pages and forms for groups,
 * settings, agents and the audit log. Administrators only: an agent who is not signed in
 * goes to the sign-in page and back; a signed-in non-administrator gets a 403 page.
 * Every form carries the session's CSRF token (checked by the app's CSRF guard); every
 * change goes through `Accounts`, which writes the audit log.
 */
import type { FastifyInstance } from 'fastify';
import { DEFAULT_AUDIT_LIMIT } from '../../store/sql-store.js';
import { auditCursor, parseAuditFilters, type AuditFilterInput } from '../audit-filters.js';
import type { HttpDeps } from '../context.js';
import { loginUrlFor, type RequestAuth } from '../request-auth.js';
import { registerAdminAgentRoutes } from './admin-agent-routes.js';
import { auditPage } from './admin-audit-page.js';
import {
  actorOf,
  formField,
  sendHtml,
  sendMessage,
  viewerOf,
  type AdminContext,
} from './admin-context.js';
import { registerAdminGroupRoutes } from './admin-group-routes.js';
import { fieldErrors } from './admin-html.js';

/** Registers the admin UI. */
export function registerAdminRoutes(app: FastifyInstance, deps: HttpDeps, auth: RequestAuth): void {
  const context: AdminContext = {
    deps,
    async requireAdmin(request, reply) {
      const signedIn = await auth.signedIn(request);
      if (!signedIn) {
        // After a POST the browser comes back with GET: send it to the page, not the action.
        const next = request.method === 'GET' ? loginUrlFor(request) : '/login?next=%2Fadmin';
        // The caller returns `reply`: Fastify sends what was set on it.
        void reply.header('cache-control', 'no-store').redirect(next, 303);
        return undefined;
      }
      if (signedIn.agent.role !== 'admin') {
        request.log.info({ agentId: signedIn.agent.id, url: request.url }, 'admin page refused');
        void sendMessage(
          reply,
          403,
          'Administrators only',
          'The administration pages are for administrators. Ask an administrator if you need a change.',
          { href: '/console', text: 'Back to the agent console' },
        );
        return undefined;
      }
      return signedIn;
    },
  };

  app.get('/admin', async (request, reply) => {
    if (!(await context.requireAdmin(request, reply))) return reply;
    return reply.redirect('/admin/groups', 302);
  });

  registerAdminGroupRoutes(app, context);
  registerAdminAgentRoutes(app, context);

  app.get('/admin/audit', async (request, reply) => {
    const signedIn = await context.requireAdmin(request, reply);
    if (!signedIn) return reply;
    const query = request.query as Record<string, unknown>;
    const filters: AuditFilterInput = {};
    for (const name of [
      'groupId',
      'agentId',
      'sessionKey',
      'event',
      'from',
      'to',
      'before',
    ] as const) {
      const value = formField(query, name);
      if (value !== '') filters[name] = value;
    }
    const parsed = parseAuditFilters(filters);
    const limit = DEFAULT_AUDIT_LIMIT;
    const entries = parsed.ok
      ? await deps.accounts.listAudit(actorOf(signedIn), { ...parsed.query, limit })
      : [];
    const last = entries[entries.length - 1];
    let olderQuery: string | undefined;
    if (entries.length === limit && last) {
      const params = new URLSearchParams(
        Object.entries({ ...filters, before: auditCursor(last) }) as [string, string][],
      );
      olderQuery = params.toString();
    }
    const [groups, agents] = await Promise.all([deps.store.listGroups(), deps.store.listAgents()]);
    return sendHtml(
      reply,
      parsed.ok ? 200 : 400,
      auditPage({
        viewer: viewerOf(signedIn),
        filters,
        errors: parsed.ok ? new Map() : fieldErrors(parsed.issues),
        entries,
        groups,
        agents,
        olderQuery,
      }),
    );
  });
}
