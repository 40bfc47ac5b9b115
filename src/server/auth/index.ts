/**
 * Agent authentication and administration: passwords, viewer tickets, web sessions, CSRF,
 * login throttling, Glance login keys and SSO, and the account operations with their
 * input schemas.
 */
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
export { effectivePrivileges } from './agent-authenticator.js';
export {
  createLoginKey,
  loginKeySignature,
  parseLoginKey,
  splitUserAndLoginKey,
  verifyLoginKey,
  LOGIN_KEY_VERSION,
  LOGIN_KEY_SIGNATURE_LENGTH,
  MAX_LOGIN_KEY_LIFETIME_S,
} from './login-key.js';
export type {
  LoginKeyRefusal,
  LoginKeySubject,
  LoginKeyVerdict,
  ParsedLoginKey,
} from './login-key.js';
export { SsoAuthenticator, ssoCredentialsFrom, SSO_QUERY_PARAMETERS } from './sso.js';
export type { SsoCredentials, SsoFailureReason, SsoResult } from './sso.js';
export { Accounts, AccountError, actorLabel, generateApiKey } from './accounts.js';
export type { AccountErrorCode, Actor, GroupWithKey, IssuedLoginKey } from './accounts.js';
export {
  agentPatchSchema,
  apiKeySchema,
  defaultPrivileges,
  describeIssues,
  groupIdSchema,
  groupNameSchema,
  groupPatchSchema,
  issuesText,
  loginKeyRequestSchema,
  newAgentSchema,
  newGroupSchema,
  parseInput,
  siteSchema,
  siteSettingsPatchSchema,
  MIN_API_KEY_LENGTH,
  MIN_PASSWORD_LENGTH,
  PRIVILEGES,
  ROLES,
  SITES,
} from './account-schemas.js';
export type {
  AgentPatchInput,
  InputIssue,
  LoginKeyRequestInput,
  NewAgentInput,
  NewGroupInput,
  SiteSettingsPatchInput,
} from './account-schemas.js';
