import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LoginCsrf } from '../../src/server/auth/csrf.js';
import { LoginThrottle } from '../../src/server/auth/login-throttle.js';

describe('[AV4] login form CSRF tokens', () => {
  const csrf = new LoginCsrf(randomBytes(32));

  it('accepts the token of the cookie and nothing else', () => {
    const cookie = csrf.newCookie();
    expect(csrf.check(cookie, csrf.tokenFor(cookie))).toBe(true);
    expect(csrf.check(csrf.newCookie(), csrf.tokenFor(cookie))).toBe(false);
    expect(csrf.check(cookie, '')).toBe(false);
    expect(csrf.check(undefined, csrf.tokenFor(cookie))).toBe(false);
    expect(csrf.check(cookie, ['array'])).toBe(false);
  });

  it('tokens of another secret do not match', () => {
    const cookie = csrf.newCookie();
    expect(csrf.check(cookie, new LoginCsrf(randomBytes(32)).tokenFor(cookie))).toBe(false);
  });
});

describe('login throttling', () => {
  it('refuses after 10 failures per IP until the window ends', () => {
    let now = 0;
    const throttle = new LoginThrottle({ now: () => now });
    for (let i = 0; i < 10; i++) {
      expect(throttle.retryAfterMs('10.0.0.1', `user${i}`)).toBe(0);
      throttle.recordFailure('10.0.0.1', `user${i}`);
    }
    now = 20_000;
    expect(throttle.retryAfterMs('10.0.0.1', 'someone-new')).toBe(40_000);
    expect(throttle.retryAfterMs('10.0.0.2', 'someone-new')).toBe(0);
    now = 60_000;
    expect(throttle.retryAfterMs('10.0.0.1', 'someone-new')).toBe(0);
  });

  it('refuses after 10 failures per username from any IPs, ignoring case', () => {
    const throttle = new LoginThrottle({ now: () => 0 });
    for (let i = 0; i < 10; i++) throttle.recordFailure(`10.0.0.${i}`, 'Demo');
    expect(throttle.retryAfterMs('10.9.9.9', 'demo')).toBeGreaterThan(0);
    expect(throttle.retryAfterMs('10.9.9.9', 'other')).toBe(0);
  });

  it('forgets the oldest keys beyond its memory bound', () => {
    const throttle = new LoginThrottle({ maxFailures: 1, maxKeys: 4, now: () => 0 });
    throttle.recordFailure('ip-a', 'user-a');
    throttle.recordFailure('ip-b', 'user-b');
    throttle.recordFailure('ip-c', 'user-c');
    expect(throttle.retryAfterMs('ip-a', 'x')).toBe(0);
    expect(throttle.retryAfterMs('ip-c', 'x')).toBeGreaterThan(0);
  });
});
