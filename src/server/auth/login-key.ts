/**
 * Glance login keys (glance-reference §5, docs/sso.md): `$1$<expires>$<signature>`, where
 * `expires` is Unix seconds and the signature is the base64url HMAC-SHA256, keyed with the
 * group's API key, of `partnerid + partneruserid + "1" + expires`, cut to 43 characters
 * (57 characters in all). A CRM makes one per agent and sign-in; we verify it.
 *
 * Leniency, because Glance's own samples differ: the signature may use the standard
 * base64 alphabet (`+/`) instead of base64url (`-_`), with or without `=` padding. The
 * comparison runs in constant time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The only login-key version there is. */
export const LOGIN_KEY_VERSION = '1';
/** Characters of the signature (43 base64url characters carry the 256-bit HMAC). */
export const LOGIN_KEY_SIGNATURE_LENGTH = 43;
/** Furthest a key's expiry may lie in the future, s (Glance: one day). */
export const MAX_LOGIN_KEY_LIFETIME_S = 24 * 60 * 60;
/** Longest text we try to parse as a login key. */
const MAX_LOGIN_KEY_LENGTH = 200;

/** Why a login key was refused. */
export type LoginKeyRefusal =
  /** Not `$1$<digits>$<signature>`. */
  | 'malformed'
  /** A version other than 1. */
  | 'version'
  /** Its expiry has passed. */
  | 'expired'
  /** Its expiry is more than a day ahead. */
  | 'too-far-ahead'
  /** The signature does not match (wrong API key, user or expiry). */
  | 'signature';

/** The parts of a login key. */
export interface ParsedLoginKey {
  version: string;
  /** Unix seconds. */
  expires: number;
  /** As given (either alphabet, maybe padded). */
  signature: string;
}

/** What `verifyLoginKey` decided. */
export type LoginKeyVerdict =
  { ok: true; expires: number } | { ok: false; reason: LoginKeyRefusal };

/** Who a login key is for and what signs it. */
export interface LoginKeySubject {
  /** Glance `partnerid`: the group id. */
  partnerId: string;
  /** Glance `partneruserid`: the agent's id in the CRM. */
  partnerUserId: string;
  /** The group's API key (the HMAC key). */
  apiKey: string;
}

/** The 43-character base64url signature of a subject and expiry. */
export function loginKeySignature(subject: LoginKeySubject, expires: number): string {
  return createHmac('sha256', subject.apiKey)
    .update(`${subject.partnerId}${subject.partnerUserId}${LOGIN_KEY_VERSION}${expires}`, 'utf8')
    .digest('base64url')
    .slice(0, LOGIN_KEY_SIGNATURE_LENGTH);
}

/** A login key for `subject` that expires at `expires` (Unix seconds). */
export function createLoginKey(subject: LoginKeySubject, expires: number): string {
  if (!Number.isSafeInteger(expires) || expires <= 0)
    throw new RangeError('expires must be a positive whole number of Unix seconds');
  return `$${LOGIN_KEY_VERSION}$${expires}$${loginKeySignature(subject, expires)}`;
}

/** The parts of a login key, or why it is not one. */
export function parseLoginKey(
  text: string,
): { ok: true; key: ParsedLoginKey } | { ok: false; reason: 'malformed' | 'version' } {
  if (text.length > MAX_LOGIN_KEY_LENGTH) return { ok: false, reason: 'malformed' };
  const match = /^\$([0-9]{1,3})\$([0-9]{1,12})\$([A-Za-z0-9+/_-]{43}={0,2})$/.exec(text);
  if (!match) return { ok: false, reason: 'malformed' };
  const [, version, expires, signature] = match as unknown as [string, string, string, string];
  if (version !== LOGIN_KEY_VERSION) return { ok: false, reason: 'version' };
  return { ok: true, key: { version, expires: Number(expires), signature } };
}

/** The signature in base64url without padding, whatever alphabet it came in. */
function normaliseSignature(signature: string): string {
  return signature.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}

/**
 * Checks a login key for `subject` at time `nowMs`: well formed, version 1, not expired
 * (valid while now < expires), at most a day ahead, and signed with the subject's API key.
 */
export function verifyLoginKey(
  loginKey: string,
  subject: LoginKeySubject,
  nowMs: number = Date.now(),
): LoginKeyVerdict {
  const parsed = parseLoginKey(loginKey);
  if (!parsed.ok) return parsed;
  const { expires, signature } = parsed.key;
  const now = Math.floor(nowMs / 1000);
  // The signature is checked before the clock so that a forged key learns nothing from
  // which refusal it gets; a genuine one gets the precise reason.
  const expected = Buffer.from(loginKeySignature(subject, expires));
  const given = Buffer.from(normaliseSignature(signature));
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'signature' };
  if (now >= expires) return { ok: false, reason: 'expired' };
  if (expires - now > MAX_LOGIN_KEY_LIFETIME_S) return { ok: false, reason: 'too-far-ahead' };
  return { ok: true, expires };
}

/**
 * Splits the `<user>~<loginkey>` form (Glance: `partneruserid=PUID~KEY`, `username~KEY`)
 * at the last `~` that starts a login key; undefined when `text` has no such suffix.
 */
export function splitUserAndLoginKey(text: string): { user: string; loginKey: string } | undefined {
  const at = text.lastIndexOf('~$');
  if (at <= 0) return undefined;
  return { user: text.slice(0, at), loginKey: text.slice(at + 1) };
}
