/**
 * Password hashing with scrypt ([AV4]): memory-hard, in node:crypto, no native addon.
 * Hashes are self-describing — `$scrypt$n=32768,r=8,p=1$<salt>$<key>` (base64url) — so the
 * cost can be raised later without invalidating stored hashes.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** scrypt cost parameters. */
export interface ScryptParams {
  /** CPU/memory cost, a power of two. */
  N: number;
  /** Block size. */
  r: number;
  /** Parallelism. */
  p: number;
}

/**
 * Cost of new hashes: N=2^15, r=8 uses 32 MiB and ~50–100 ms per hash on this machine
 * kind — slow for an attacker, unnoticeable at login.
 */
export const DEFAULT_SCRYPT_PARAMS: Readonly<ScryptParams> = Object.freeze({
  N: 32768,
  r: 8,
  p: 1,
});

const SALT_BYTES = 16;
const KEY_BYTES = 32;
const HASH_PATTERN =
  /^\$scrypt\$n=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9_-]{16,128})\$([A-Za-z0-9_-]{16,256})$/;

function derive(
  password: string,
  salt: Buffer,
  keyLength: number,
  params: ScryptParams,
): Promise<Buffer> {
  const options: ScryptOptions = {
    N: params.N,
    r: params.r,
    p: params.p,
    // scrypt needs 128·N·r bytes; node's default cap (32 MiB) is exactly that at our default.
    maxmem: 256 * params.N * params.r * params.p + 1024 * 1024,
  };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, keyLength, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/** Hashes a password for storage. */
export async function hashPassword(
  password: string,
  params: ScryptParams = DEFAULT_SCRYPT_PARAMS,
): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, KEY_BYTES, params);
  return `$scrypt$n=${params.N},r=${params.r},p=${params.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** Parses a stored hash; undefined when it is not one of ours or its parameters are absurd. */
function parseHash(
  stored: string,
): { params: ScryptParams; salt: Buffer; key: Buffer } | undefined {
  const match = HASH_PATTERN.exec(stored);
  if (!match) return undefined;
  const [, n, r, p, salt, key] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  // Bounds keep a tampered row from making one login allocate gigabytes.
  const powerOfTwo = (params.N & (params.N - 1)) === 0;
  if (!powerOfTwo || params.N < 1024 || params.N > 1 << 20) return undefined;
  if (params.r < 1 || params.r > 32 || params.p < 1 || params.p > 16) return undefined;
  const keyBytes = Buffer.from(key, 'base64url');
  // scrypt's shorter outputs are prefixes of longer ones: a truncated stored key would be
  // a weaker hash that still verifies, so only full-length keys count.
  if (keyBytes.length < KEY_BYTES) return undefined;
  return { params, salt: Buffer.from(salt, 'base64url'), key: keyBytes };
}

/** Whether `password` matches a hash from `hashPassword`; false for any malformed hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const key = await derive(password, parsed.salt, parsed.key.length, parsed.params);
  return timingSafeEqual(key, parsed.key);
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends the time of one verification without a real hash, so that a login for an
 * unknown username takes as long as one with a wrong password (no username probing).
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummyHash ??= hashPassword('opencobrowse-dummy-password');
  await verifyPassword(password, await dummyHash);
  return false;
}
