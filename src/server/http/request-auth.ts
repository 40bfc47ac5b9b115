/**
 * Who is signed in on a request, and the cookies that say so. The web session is looked
 * up once per request (a WeakMap keyed by the request), however many hooks ask.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SESSION_COOKIE, type SignedIn, type WebSessions } from '../auth/web-sessions.js';

/** Where a sign-in sends the browser when `next` is missing or not a local path. */
export const DEFAULT_AFTER_LOGIN = '/console';

/**
 * `next` if it is a path on this server, else `/console`: only a single leading `/`, so
 * `//evil.example`, `/\evil.example` and absolute URLs never leave the site (no open redirect).
 */
export function safeNextPath(next: unknown): string {
  if (typeof next !== 'string' || next.length === 0 || next.length > 4096)
    return DEFAULT_AFTER_LOGIN;
  if (!next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\'))
    return DEFAULT_AFTER_LOGIN;
  // Browsers drop tabs and newlines inside URLs, which could turn "/\t/evil" into "//evil".
  for (const char of next) {
    const code = char.charCodeAt(0);
    if (code < 0x20 || code === 0x7f || char === '\\') return DEFAULT_AFTER_LOGIN;
  }
  const base = 'http://opencobrowse.invalid';
  const url = new URL(next, base);
  if (url.origin !== base) return DEFAULT_AFTER_LOGIN;
  return `${url.pathname}${url.search}${url.hash}`;
}

/** The login URL that returns to this request's page afterwards ([AV2]). */
export function loginUrlFor(request: FastifyRequest): string {
  return `/login?next=${encodeURIComponent(request.url)}`;
}

/** Resolves and sets the sign-in of requests. */
export class RequestAuth {
  private readonly cache = new WeakMap<FastifyRequest, Promise<SignedIn | undefined>>();

  constructor(private readonly webSessions: WebSessions) {}

  /** The signed-in agent of the request, if any. */
  signedIn(request: FastifyRequest): Promise<SignedIn | undefined> {
    let result = this.cache.get(request);
    if (!result) {
      result = this.webSessions.resolve(request.cookies[SESSION_COOKIE]);
      this.cache.set(request, result);
    }
    return result;
  }

  /** Sets the session cookie ([AV4]: HttpOnly, SameSite=Lax, Secure on https). */
  setSessionCookie(
    request: FastifyRequest,
    reply: FastifyReply,
    cookie: string,
    expiresAt: number,
  ): void {
    reply.setCookie(SESSION_COOKIE, cookie, {
      httpOnly: true,
      sameSite: 'lax',
      secure: request.protocol === 'https',
      path: '/',
      expires: new Date(expiresAt),
    });
  }

  /** Removes the session cookie from the browser. */
  clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
    reply.clearCookie(SESSION_COOKIE, {
      httpOnly: true,
      sameSite: 'lax',
      secure: request.protocol === 'https',
      path: '/',
    });
  }
}
