/**
 * The viewer URL ([AV1]–[AV3]): `/agentjoin/AgentView.aspx?SessionKey=K&Wait=1`, also
 * `/cobrowse/AgentView.aspx` and `/agent/view`. Parameter names are case-insensitive and
 * `VisitorId` means `SessionKey`, as in Glance.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SESSION_KEY_PATTERN } from '../../shared/protocol/control.js';
import type { HttpDeps } from './context.js';
import { renderMessagePage } from './html.js';
import { viewerPage } from './pages.js';
import { loginUrlFor, type RequestAuth } from './request-auth.js';
import { VIEWER_CSP } from './security-headers.js';

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
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(
      renderMessagePage({
        title,
        message,
        links: [{ href: '/console', text: 'Back to the console' }],
      }),
    );
}

/** Registers the viewer routes. */
export function registerViewerRoutes(
  app: FastifyInstance,
  deps: HttpDeps,
  auth: RequestAuth,
): void {
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const signedIn = await auth.signedIn(request);
    if (!signedIn)
      return reply.header('cache-control', 'no-store').redirect(loginUrlFor(request), 302);

    const query = caseInsensitiveQuery(request.query);
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
    // Only the agent's own group is searched: another group's key looks exactly unknown ([JN1]).
    if (!wait && !deps.sessions.findSession(agent.groupId, key)) {
      return sendPage(
        reply,
        404,
        'No such session',
        `There is no live session with the key ${key}. Check the code with the visitor, or open the viewer with Wait=1 to wait for the session to start.`,
      );
    }

    const ticket = deps.tickets.issueTicket({ agentId: agent.id, groupId: agent.groupId });
    return (
      reply
        .code(200)
        .header('content-security-policy', VIEWER_CSP)
        // The page holds a ticket: never cache it, never send it in a Referer.
        .header('cache-control', 'no-store')
        .type('text/html; charset=utf-8')
        .send(
          viewerPage({
            key,
            wait,
            ticket,
            agent: { username: agent.username, name: agent.displayName || agent.username },
          }),
        )
    );
  };

  for (const url of VIEWER_PATHS) app.get(url, handler);
}
