/**
 * CSRF tokens for forms ([AV4]). Signed-in forms carry the web session's own token.
 * Before sign-in there is no session, so the login form's token is bound to a random
 * `oc_csrf` cookie: token = HMAC(secret, cookie). A cross-site page can make the browser
 * send the cookie but can neither read it nor compute the token.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Name of the pre-login CSRF cookie. */
export const CSRF_COOKIE = 'oc_csrf';
/** Meta key of the secret that binds login-form tokens to their cookie. */
export const CSRF_SECRET_META_KEY = 'csrf_secret';

/** Compares two strings in time independent of where they differ. */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Tokens for forms shown before sign-in, bound to the `oc_csrf` cookie. */
export class LoginCsrf {
  constructor(private readonly secret: Buffer) {}

  /** A fresh cookie value for a browser that has none. */
  newCookie(): string {
    return randomBytes(24).toString('base64url');
  }

  /** The form token that belongs to a cookie value. */
  tokenFor(cookie: string): string {
    return createHmac('sha256', this.secret)
      .update(`login-form\u0000${cookie}`)
      .digest('base64url');
  }

  /** Whether a submitted token belongs to the submitted cookie. */
  check(cookie: string | undefined, token: unknown): boolean {
    if (!cookie || typeof token !== 'string' || token === '') return false;
    return safeEqual(this.tokenFor(cookie), token);
  }
}
