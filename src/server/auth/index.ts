/** Agent authentication: passwords, viewer tickets, web sessions, CSRF, login throttling. */
export {
  hashPassword,
  verifyPassword,
  verifyAgainstDummy,
  DEFAULT_SCRYPT_PARAMS,
} from './password.js';
export type { ScryptParams } from './password.js';
export {
  TicketSigner,
  loadOrCreateSecret,
  TICKET_TTL_MS,
  TICKET_SECRET_META_KEY,
} from './tickets.js';
export type { TicketClaims, TicketIdentity, TicketSignerOptions } from './tickets.js';
export { createAgentAuthenticator, toAgentIdentity } from './agent-authenticator.js';
export { WebSessions, hashSessionId, SESSION_COOKIE, WEB_SESSION_TTL_MS } from './web-sessions.js';
export type { NewWebSession, SignedIn } from './web-sessions.js';
export { LoginCsrf, safeEqual, CSRF_COOKIE, CSRF_SECRET_META_KEY } from './csrf.js';
export { LoginThrottle } from './login-throttle.js';
export type { LoginThrottleOptions } from './login-throttle.js';
