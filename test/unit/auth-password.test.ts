import { describe, expect, it } from 'vitest';
import {
  hashPassword,
  verifyAgainstDummy,
  verifyPassword,
} from '../../src/server/auth/password.js';

describe('[AV4] password hashing with scrypt', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const hash = await hashPassword('correct horse battery staple');
    expect(await verifyPassword('correct horse battery staple', hash)).toBe(true);
    expect(await verifyPassword('correct horse battery stapl', hash)).toBe(false);
    expect(await verifyPassword('', hash)).toBe(false);
  });

  it('stores a self-describing hash that never contains the password', async () => {
    const password = 'hunter2-hunter2';
    const hash = await hashPassword(password);
    expect(hash).toMatch(/^\$scrypt\$n=32768,r=8,p=1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
    expect(hash).not.toContain(password);
    expect(hash).not.toContain(Buffer.from(password).toString('base64url'));
  });

  it('salts every hash: one password, two different hashes, both valid', async () => {
    const [a, b] = await Promise.all([hashPassword('same'), hashPassword('same')]);
    expect(a).not.toBe(b);
    expect(await verifyPassword('same', a)).toBe(true);
    expect(await verifyPassword('same', b)).toBe(true);
  });

  it('verifies hashes made with other cost parameters', async () => {
    const hash = await hashPassword('pw', { N: 1024, r: 4, p: 2 });
    expect(hash).toContain('$scrypt$n=1024,r=4,p=2$');
    expect(await verifyPassword('pw', hash)).toBe(true);
  });

  it('refuses malformed and absurd-cost hashes instead of throwing', async () => {
    const hash = await hashPassword('pw');
    expect(await verifyPassword('pw', 'plain-text-pw')).toBe(false);
    expect(await verifyPassword('pw', hash.replace('n=32768', 'n=1073741824'))).toBe(false);
    expect(await verifyPassword('pw', hash.replace('n=32768', 'n=30000'))).toBe(false);
    expect(await verifyPassword('pw', hash.slice(0, -4))).toBe(false);
  });

  it('the dummy verification for unknown usernames always fails', async () => {
    expect(await verifyAgainstDummy('opencobrowse-dummy-password')).toBe(false);
  });
});
