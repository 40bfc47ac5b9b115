/**
 * Who calls the REST API: a group's API key (`Authorization: Bearer <key>`, acting on that
 * group only) or a signed-in administrator's web session (cookie, plus the session's CSRF
 * token in `X-CSRF-Token` for anything that changes state — a cookie alone is what a
 * cross-site page could make the browser send). Agents and viewers have no API access.
 *
 * Failed key checks are counted per IP: past the limit every key from that IP is refused
 * (429) until the window ends, so keys cannot be guessed at speed.
 */
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../../auth/accounts.js';
import { safeEqual } from '../../auth/csrf.js';
import type { HttpDeps } from '../context.js';
import type { RequestAuth } from '../request-auth.js';
import { ApiAnswer } from './json.js';

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** The throttle's "username" for API-key failures: one bucket, counted per IP. */
const API_KEY_BUCKET = 'api-key';
/** Longest bearer token looked up. */
const MAX_TOKEN_LENGTH = 512;

/** The actor of an API request; throws an `ApiAnswer` (401/403/429) when there is none. */
export async function apiActor(
  request: FastifyRequest,
  deps: HttpDeps,
  auth: RequestAuth,
): Promise<Actor> {
  const authorization = request.headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer +(\S+) *$/i.exec(authorization);
    if (!match || match[1] === undefined || match[1].length > MAX_TOKEN_LENGTH)
      throw new ApiAnswer(401, {
        error: 'unauthorized',
        message: 'The Authorization header must be "Bearer <group API key>".',
      });
    const wait = deps.apiKeyThrottle.retryAfterMs(request.ip, API_KEY_BUCKET);
    if (wait > 0)
      throw new ApiAnswer(429, {
        error: 'rate_limited',
        message: `Too many invalid API keys from your address. Try again in ${Math.ceil(wait / 1000)} seconds.`,
      });
    const group = await deps.store.findGroupByApiKey(match[1]);
    if (!group) {
      deps.apiKeyThrottle.recordFailure(request.ip, API_KEY_BUCKET);
      request.log.info({ ip: request.ip }, 'REST call with an invalid API key');
      throw new ApiAnswer(401, {
        error: 'unauthorized',
        message: 'The API key is not valid (it may have been rotated).',
      });
    }
    return { kind: 'api-key', groupId: group.id };
  }

  const signedIn = await auth.signedIn(request);
  if (!signedIn)
    throw new ApiAnswer(401, {
      error: 'unauthorized',
      message:
        'Authenticate with "Authorization: Bearer <group API key>", or sign in as an administrator.',
    });
  if (signedIn.agent.role !== 'admin')
    throw new ApiAnswer(403, {
      error: 'forbidden',
      message: 'Only administrators may use the API with a signed-in session.',
    });
  if (UNSAFE_METHODS.has(request.method)) {
    const token = request.headers['x-csrf-token'];
    if (typeof token !== 'string' || !safeEqual(signedIn.session.csrfToken, token))
      throw new ApiAnswer(403, {
        error: 'csrf',
        message: 'Missing or invalid X-CSRF-Token header (the session’s CSRF token).',
      });
  }
  return { kind: 'admin', agentId: signedIn.agent.id, username: signedIn.agent.username };
}
