/**
 * Single sign-on with Glance login keys on the viewer URL (docs/sso.md). A CRM opens
 *
 *   /agentjoin/AgentView.aspx?partnerid=G&partneruserid=PUID&loginkey=$1$EXPIRES$SIG&SessionKey=K
 *
 * (also `partneruserid=PUID~LOGINKEY`, `username=USER~LOGINKEY` or `username=USER&loginkey=…`)
 * and the agent is signed in without a password prompt.
 *
 * What a refusal says depends on what it would reveal: a key that is not a login key, or
 * one that is genuine but expired or too far ahead, gets the precise reason; an unknown
 * group, unknown agent, group without API key or wrong signature all get one message, so
 * the page is no oracle for which partner user ids exist. The precise reason is logged.
 * Failures are throttled per IP and per user like password sign-ins.
 */
import type { Agent, Store } from '../store/store.js';
import {
  parseLoginKey,
  splitUserAndLoginKey,
  verifyLoginKey,
  type LoginKeyRefusal,
} from './login-key.js';
import type { LoginThrottle } from './login-throttle.js';

/** The viewer URL's query parameters that carry SSO credentials (lower case). */
export const SSO_QUERY_PARAMETERS: readonly string[] = Object.freeze([
  'partnerid',
  'partneruserid',
  'loginkey',
  'username',
]);

/** SSO credentials found on a URL. */
export type SsoCredentials =
  | { kind: 'partner'; partnerId: string; partnerUserId: string; loginKey: string }
  | { kind: 'username'; username: string; loginKey: string };

/**
 * The SSO credentials of a viewer URL's query (names lower-cased), or undefined when it
 * carries no login key (then the normal sign-in applies).
 */
export function ssoCredentialsFrom(query: ReadonlyMap<string, string>): SsoCredentials | undefined {
  let loginKey = query.get('loginkey');
  let partnerUserId = query.get('partneruserid');
  let username = query.get('username');
  const fromPuid = partnerUserId !== undefined ? splitUserAndLoginKey(partnerUserId) : undefined;
  if (fromPuid) ({ user: partnerUserId, loginKey } = fromPuid);
  const fromUsername = username !== undefined ? splitUserAndLoginKey(username) : undefined;
  if (fromUsername) ({ user: username, loginKey } = fromUsername);
  if (loginKey === undefined || loginKey === '') return undefined;
  // A standard-alphabet key put on a URL without encoding has its `+` read as a space; a
  // login key never holds a space, so it can only have been a `+`.
  loginKey = loginKey.replace(/ /g, '+');
  const partnerId = query.get('partnerid');
  if (partnerId !== undefined && partnerUserId !== undefined)
    return { kind: 'partner', partnerId, partnerUserId, loginKey };
  if (username !== undefined) return { kind: 'username', username, loginKey };
  // A key with no user: refused below with a message that says what is missing.
  return {
    kind: 'partner',
    partnerId: partnerId ?? '',
    partnerUserId: partnerUserId ?? '',
    loginKey,
  };
}

/** Why an SSO sign-in failed, for logs and the audit log. */
export type SsoFailureReason =
  | LoginKeyRefusal
  | 'missing-user'
  | 'unknown-group'
  | 'no-api-key'
  | 'unknown-agent'
  | 'disabled'
  | 'throttled';

/** The outcome of an SSO sign-in. */
export type SsoResult =
  | { ok: true; agent: Agent; expires: number }
  | {
      ok: false;
      reason: SsoFailureReason;
      /** HTTP status of the refusal page. */
      status: 400 | 403 | 429;
      title: string;
      message: string;
      /** The agent, when it is known (for the audit log). */
      agent?: Agent;
      /** Seconds until a throttled client may try again. */
      retryAfterS?: number;
    };

/** One message for everything that would tell an outsider which users exist. */
const NOT_ACCEPTED =
  'The login key was not accepted: its signature does not match the API key of the group, or the group has no agent with this partner user id. Check the partnerid and partneruserid on the link and the API key your CRM signs with.';

function isoOf(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().replace('.000Z', 'Z');
}

/** Verifies SSO credentials against the store. */
export class SsoAuthenticator {
  constructor(
    private readonly store: Store,
    private readonly throttle: LoginThrottle,
    private readonly now: () => number = Date.now,
  ) {}

  /** Signs in the agent the credentials name, or says why not. */
  async authenticate(credentials: SsoCredentials, ip: string): Promise<SsoResult> {
    const user =
      credentials.kind === 'partner'
        ? `sso\u0000${credentials.partnerId}\u0000${credentials.partnerUserId}`
        : `sso-user\u0000${credentials.username}`;
    const wait = this.throttle.retryAfterMs(ip, user);
    if (wait > 0) {
      const seconds = Math.ceil(wait / 1000);
      return {
        ok: false,
        reason: 'throttled',
        status: 429,
        title: 'Too many sign-in attempts',
        message: `There were too many refused login keys for this agent or from your network. Wait ${seconds} seconds, then try again.`,
        retryAfterS: seconds,
      };
    }
    const result = await this.check(credentials);
    if (!result.ok) this.throttle.recordFailure(ip, user);
    return result;
  }

  private async check(credentials: SsoCredentials): Promise<SsoResult> {
    const parsed = parseLoginKey(credentials.loginKey);
    if (!parsed.ok) {
      return refusal(
        parsed.reason,
        400,
        'Invalid login key',
        parsed.reason === 'version'
          ? 'This login key has an unknown version: only version 1 keys ($1$<expires>$<signature>) are supported.'
          : 'The loginkey on this link is not a login key. It must look like $1$<expires>$<signature>, 57 characters; check that the link was not cut or changed.',
      );
    }
    if (
      credentials.kind === 'partner' &&
      (credentials.partnerId === '' || credentials.partnerUserId === '')
    ) {
      return refusal(
        'missing-user',
        400,
        'Incomplete sign-in link',
        'A login key needs the agent it is for: add partnerid (the group id) and partneruserid, or username, to the link.',
      );
    }

    let agent: Agent | undefined;
    let partnerId: string;
    let partnerUserId: string;
    if (credentials.kind === 'partner') {
      ({ partnerId, partnerUserId } = credentials);
      agent = /^[0-9]{1,12}$/.test(partnerId)
        ? await this.store.findAgentByPartnerUserId(partnerId, partnerUserId)
        : undefined;
    } else {
      agent = await this.store.findAgentByUsername(credentials.username);
      partnerId = agent?.groupId ?? '';
      // An agent without a partner user id is signed for by username (docs/sso.md).
      partnerUserId = agent ? agent.partnerUserId || agent.username : credentials.username;
    }
    const group = agent ? await this.store.getGroup(agent.groupId) : undefined;
    if (!agent || !group || !group.apiKey) {
      const reason = !agent ? 'unknown-agent' : !group ? 'unknown-group' : 'no-api-key';
      return refusal(reason, 403, 'Sign-in refused', NOT_ACCEPTED, agent);
    }

    const verdict = verifyLoginKey(
      credentials.loginKey,
      { partnerId, partnerUserId, apiKey: group.apiKey },
      this.now(),
    );
    if (!verdict.ok) {
      const expires = parsed.key.expires;
      switch (verdict.reason) {
        case 'expired':
          return refusal(
            'expired',
            403,
            'Login key expired',
            `This login key expired at ${isoOf(expires)}. Open the session again from your CRM to get a fresh link.`,
            agent,
          );
        case 'too-far-ahead':
          return refusal(
            'too-far-ahead',
            403,
            'Login key not yet acceptable',
            `This login key is valid until ${isoOf(expires)}, more than one day ahead; login keys may be valid for one day at most. Check the expiry your CRM sets and the clocks of both servers.`,
            agent,
          );
        case 'signature':
        case 'malformed':
        case 'version':
          return refusal(verdict.reason, 403, 'Sign-in refused', NOT_ACCEPTED, agent);
        default: {
          const never: never = verdict.reason;
          return never;
        }
      }
    }
    if (agent.disabled) {
      // The key proves the CRM vouches for this agent: telling them the account is off is no leak.
      return refusal(
        'disabled',
        403,
        'Account disabled',
        'This agent account is disabled. Ask your administrator.',
        agent,
      );
    }
    return { ok: true, agent, expires: verdict.expires };
  }
}

function refusal(
  reason: SsoFailureReason,
  status: 400 | 403,
  title: string,
  message: string,
  agent?: Agent,
): SsoResult {
  return { ok: false, reason, status, title, message, ...(agent ? { agent } : {}) };
}
