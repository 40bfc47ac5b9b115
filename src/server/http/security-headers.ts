/**
 * Security headers of every response. Pages get a strict CSP (scripts only from this
 * server, no inline script); the viewer page has its own, looser for styles and images,
 * because the mirror shows the visitor's site ([VW3]). Routes that need something else set
 * their own header first; this hook fills in only what is missing.
 */
import type { FastifyInstance } from 'fastify';

/** CSP of ordinary pages (login, console, messages). */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'self'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ');

/**
 * CSP of the viewer page ([VW3]): scripts only from this server; the mirrored page's
 * styles, images, fonts and media may come from anywhere (the visitor's site and CDNs);
 * `base-uri` allows the mirror document's `<base href>` to the visitor's page. CRM pages
 * allowed to embed the viewer (config `crmOrigins`) join `frame-ancestors`.
 */
export function viewerCsp(crmOrigins: readonly string[] = []): string {
  return VIEWER_CSP.replace("frame-ancestors 'self'", ["frame-ancestors 'self'", ...crmOrigins].join(' '));
}

/** The viewer page's CSP when no CRM origin may embed it. */
export const VIEWER_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline' http: https: data: blob:",
  'img-src * data: blob:',
  'font-src * data:',
  'media-src * data: blob:',
  "connect-src 'self' ws: wss:",
  "frame-src 'self'",
  'base-uri http: https:',
  "form-action 'none'",
  "frame-ancestors 'self'",
  "object-src 'none'",
].join('; ');

/** How long browsers remember to use https only, s (180 days). */
export const HSTS_MAX_AGE_S = 180 * 24 * 60 * 60;

/** Adds the default security headers to every response that has not set its own. */
export function registerSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    // Over https (directly or behind a trusted proxy), browsers must never fall back to http:
    // cookies and login keys would travel in clear.
    if (request.protocol === 'https' && !reply.hasHeader('strict-transport-security'))
      reply.header('strict-transport-security', `max-age=${HSTS_MAX_AGE_S}`);
    if (!reply.hasHeader('x-content-type-options'))
      reply.header('x-content-type-options', 'nosniff');
    if (!reply.hasHeader('referrer-policy')) reply.header('referrer-policy', 'same-origin');
    if (!reply.hasHeader('content-security-policy'))
      reply.header('content-security-policy', PAGE_CSP);
    // A page with a CSP of its own (the viewer) decides with frame-ancestors; everything
    // else is never framed by others.
    if (
      !reply.hasHeader('x-frame-options') &&
      reply.getHeader('content-security-policy') === PAGE_CSP
    ) {
      reply.header('x-frame-options', 'SAMEORIGIN');
    }
    return payload;
  });
}
