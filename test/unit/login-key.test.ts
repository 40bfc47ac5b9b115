/**
 * Glance login keys: format, signature, alphabets and expiry edges. Expected values are
 * computed independently of `login-key.ts`: one vector by `openssl dgst -sha256 -hmac`,
 * the others in the test the way Glance's C# sample does it (standard base64, cut to 43,
 * then `+/` → `-_`).
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createLoginKey,
  parseLoginKey,
  splitUserAndLoginKey,
  verifyLoginKey,
} from '../../src/server/auth/login-key.js';

const SUBJECT = { partnerId: '10000', partnerUserId: 'demo', apiKey: 'test-api-key-0123456789' };
const EXPIRES = 1_700_000_000;
/** While EXPIRES is one hour ahead, ms. */
const NOW = (EXPIRES - 3600) * 1000;

/**
 * `openssl dgst -sha256 -hmac test-api-key-0123456789 -binary <<< "10000demo11700000000" | base64`
 * = 5DQBVghiARqqw/vxzl+4EKwriq24Hl1G0ybpVGUdEgc=  (it has both a + and a /).
 */
const OPENSSL_STANDARD = '5DQBVghiARqqw/vxzl+4EKwriq24Hl1G0ybpVGUdEgc';
const OPENSSL_URL = '5DQBVghiARqqw_vxzl-4EKwriq24Hl1G0ybpVGUdEgc';

/** Glance's C# sample, transcribed: standard base64, first 43 characters, then base64url. */
function glanceSampleKey(partnerId: string, puid: string, expires: number, apiKey: string): string {
  const hash = createHmac('sha256', Buffer.from(apiKey, 'utf8'))
    .update(Buffer.from(`${partnerId}${puid}1${expires}`, 'utf8'))
    .digest('base64');
  return `$1$${expires}$${hash.substring(0, 43).replace(/\+/g, '-').replace(/\//g, '_')}`;
}

describe('login keys', () => {
  it('match an HMAC computed by openssl', () => {
    expect(createLoginKey(SUBJECT, EXPIRES)).toBe(`$1$${EXPIRES}$${OPENSSL_URL}`);
    expect(verifyLoginKey(`$1$${EXPIRES}$${OPENSSL_URL}`, SUBJECT, NOW)).toEqual({
      ok: true,
      expires: EXPIRES,
    });
  });

  it('match the Glance sample algorithm for other users, keys and expiries', () => {
    const cases = [
      ['98765', 'UserId', 1_392_680_360, 'RedactedApiKey'],
      ['24680', 'crm-user-ü-42', 1_999_999_999, 'another-api-key-with-unicode-ß'],
      ['123456', 'a', 1_234_567_890, 'k'.repeat(100)],
    ] as const;
    for (const [partnerId, partnerUserId, expires, apiKey] of cases) {
      const expected = glanceSampleKey(partnerId, partnerUserId, expires, apiKey);
      expect(createLoginKey({ partnerId, partnerUserId, apiKey }, expires)).toBe(expected);
      expect(
        verifyLoginKey(expected, { partnerId, partnerUserId, apiKey }, (expires - 60) * 1000).ok,
      ).toBe(true);
    }
  });

  it('have the Glance example format: $1$<expires>$<43 characters>, 57 in all', () => {
    const example = '$1$1392680360$YsT2Kj8rOp6FaJOG69o3QOj-GUacRiOo7Gw6l1EPVB8';
    expect(example).toHaveLength(57);
    expect(parseLoginKey(example)).toEqual({
      ok: true,
      key: { version: '1', expires: 1_392_680_360, signature: example.slice(14) },
    });
    expect(createLoginKey(SUBJECT, 1_392_680_360)).toHaveLength(57);
    // A genuine-looking key under the wrong API key is refused on its signature.
    expect(verifyLoginKey(example, SUBJECT, 1_392_680_000_000)).toEqual({
      ok: false,
      reason: 'signature',
    });
  });

  it('accept the standard base64 alphabet, with or without padding', () => {
    for (const signature of [OPENSSL_STANDARD, `${OPENSSL_STANDARD}=`, `${OPENSSL_URL}=`]) {
      expect(verifyLoginKey(`$1$${EXPIRES}$${signature}`, SUBJECT, NOW).ok).toBe(true);
    }
  });

  it('refuse a wrong signature, user, group, API key or expiry', () => {
    const key = createLoginKey(SUBJECT, EXPIRES);
    const flipped = `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`;
    expect(verifyLoginKey(flipped, SUBJECT, NOW)).toEqual({ ok: false, reason: 'signature' });
    for (const other of [
      { ...SUBJECT, partnerUserId: 'demo2' },
      { ...SUBJECT, partnerId: '10001' },
      { ...SUBJECT, apiKey: `${SUBJECT.apiKey}x` },
    ]) {
      expect(verifyLoginKey(key, other, NOW)).toEqual({ ok: false, reason: 'signature' });
    }
    // Another expiry under the same signature.
    expect(verifyLoginKey(key.replace(String(EXPIRES), String(EXPIRES + 1)), SUBJECT, NOW)).toEqual(
      { ok: false, reason: 'signature' },
    );
  });

  it('are valid while now < expires, and not from the expiry second on', () => {
    const key = createLoginKey(SUBJECT, EXPIRES);
    expect(verifyLoginKey(key, SUBJECT, EXPIRES * 1000 - 1).ok).toBe(true);
    expect(verifyLoginKey(key, SUBJECT, EXPIRES * 1000)).toEqual({ ok: false, reason: 'expired' });
    expect(verifyLoginKey(key, SUBJECT, (EXPIRES + 3600) * 1000)).toEqual({
      ok: false,
      reason: 'expired',
    });
  });

  it('may expire at most one day ahead', () => {
    const key = createLoginKey(SUBJECT, EXPIRES);
    const oneDay = 24 * 60 * 60;
    expect(verifyLoginKey(key, SUBJECT, (EXPIRES - oneDay) * 1000).ok).toBe(true);
    expect(verifyLoginKey(key, SUBJECT, (EXPIRES - oneDay - 1) * 1000)).toEqual({
      ok: false,
      reason: 'too-far-ahead',
    });
  });

  it('refuse what is not a version-1 login key', () => {
    for (const text of [
      '',
      'YsT2Kj8rOp6FaJOG69o3QOj-GUacRiOo7Gw6l1EPVB8',
      '$1$1392680360$YsT2Kj8rOp6FaJOG69o3QOj-GUacRiOo7Gw6l1EPVB', // 42
      '$1$1392680360$YsT2Kj8rOp6FaJOG69o3QOj-GUacRiOo7Gw6l1EPVB8x', // 44
      '$1$-5$YsT2Kj8rOp6FaJOG69o3QOj-GUacRiOo7Gw6l1EPVB8',
      '$1$1392680360$YsT2Kj8rOp6FaJOG69o3QOj GUacRiOo7Gw6l1EPVB8',
      `$1$${EXPIRES}$${OPENSSL_URL}$extra`,
    ]) {
      expect(verifyLoginKey(text, SUBJECT, NOW)).toEqual({ ok: false, reason: 'malformed' });
    }
    expect(verifyLoginKey(`$2$${EXPIRES}$${OPENSSL_URL}`, SUBJECT, NOW)).toEqual({
      ok: false,
      reason: 'version',
    });
  });

  it('split the user~loginkey form at the key', () => {
    const key = createLoginKey(SUBJECT, EXPIRES);
    expect(splitUserAndLoginKey(`demo~${key}`)).toEqual({ user: 'demo', loginKey: key });
    expect(splitUserAndLoginKey(`fred.glance.net~${key}`)).toEqual({
      user: 'fred.glance.net',
      loginKey: key,
    });
    expect(splitUserAndLoginKey('demo')).toBeUndefined();
    expect(splitUserAndLoginKey(`~${key}`)).toBeUndefined();
  });
});
