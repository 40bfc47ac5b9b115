/**
 * What the admin route modules share: the signed-in administrator of a request, how
 * pages are sent, and how form fields and refusals are read.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { InputIssue } from '../../auth/account-schemas.js';
import type { AccountError, Actor } from '../../auth/accounts.js';
import type { SignedIn } from '../../auth/web-sessions.js';
import type { HttpDeps } from '../context.js';
import { renderMessagePage } from '../html.js';
import type { AdminViewer } from './admin-html.js';

/** What the admin route handlers share. */
export interface AdminContext {
  deps: HttpDeps;
  /** The signed-in administrator of a request, or undefined once a refusal was sent. */
  requireAdmin(request: FastifyRequest, reply: FastifyReply): Promise<SignedIn | undefined>;
}

/** The page-facing identity of a signed-in administrator. */
export function viewerOf(signedIn: SignedIn): AdminViewer {
  return { agent: signedIn.agent, csrfToken: signedIn.session.csrfToken };
}

/** The `Actor` of a signed-in administrator. */
export function actorOf(signedIn: SignedIn): Actor {
  return { kind: 'admin', agentId: signedIn.agent.id, username: signedIn.agent.username };
}

/** Sends an HTML page that must never be cached (it holds a CSRF token, maybe a secret). */
export function sendHtml(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(html);
}

/** A form body's string field ('' when missing; the first value of a repeated one). */
export function formField(body: unknown, name: string): string {
  const value =
    body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : '';
}

/** The issues of an `AccountError`, for a form: on its field, or on the form as a whole. */
export function issuesOf(error: AccountError): InputIssue[] {
  return [{ field: error.field ?? '', message: error.message }];
}

/** A page for a refused or missing thing, with a way back. */
export function sendMessage(
  reply: FastifyReply,
  status: number,
  title: string,
  message: string,
  back: { href: string; text: string } = { href: '/admin/groups', text: 'Back to the groups' },
): FastifyReply {
  return sendHtml(reply, status, renderMessagePage({ title, message, links: [back] }));
}
