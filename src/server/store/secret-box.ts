/**
 * Encryption at rest of group API keys. An API key is the HMAC key of SSO login keys, so
 * the server must be able to read it back: it cannot be hashed like a password. Instead it
 * is sealed with AES-256-GCM under the installation's secret key, which lives outside the
 * database (a file in the data directory, or `COBROWSE_SECRET_KEY`). A copy of the
 * database alone — a backup, a dump, a read-only SQL injection — then reveals no key that
 * could sign a login key or call the REST API.
 *
 * Bearer authentication needs to find a group by its key without decrypting every row, so
 * each sealed key is stored beside a keyed hash of it (`lookupHash`), which is useless
 * without the secret key too.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Bytes of the installation's secret key. */
export const SECRET_KEY_BYTES = 32;
/** File name of the secret key in the data directory. */
export const SECRET_KEY_FILE_NAME = 'secret.key';

/** Prefix of sealed values: a version, so the format can change without guessing. */
const SEALED_PREFIX = 'v1.';
const IV_BYTES = 12;
const TAG_BYTES = 16;

function subkey(master: Buffer, label: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `opencobrowse ${label}`, 32));
}

/** A sealed value that cannot be opened with this key (wrong key, or tampered). */
export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

/** Seals and opens small secrets under the installation's secret key. */
export class SecretBox {
  private readonly encryptionKey: Buffer;
  private readonly lookupKey: Buffer;
  /** A short public fingerprint of the key: tells whether two servers hold the same one. */
  readonly keyId: string;

  constructor(masterKey: Buffer) {
    if (masterKey.length !== SECRET_KEY_BYTES)
      throw new SecretBoxError(`the secret key must be ${SECRET_KEY_BYTES} bytes`);
    this.encryptionKey = subkey(masterKey, 'api-key encryption');
    this.lookupKey = subkey(masterKey, 'api-key lookup');
    this.keyId = subkey(masterKey, 'key id').toString('base64url').slice(0, 16);
  }

  /** A fresh random box (tests, and the first start of an installation). */
  static random(): SecretBox {
    return new SecretBox(randomBytes(SECRET_KEY_BYTES));
  }

  /**
   * Encrypts `plain`; `context` (e.g. the group id) is authenticated with it, so a sealed
   * value copied to another row does not open there.
   */
  seal(plain: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.encryptionKey, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${SEALED_PREFIX}${iv.toString('base64url')}.${body.toString('base64url')}`;
  }

  /** Decrypts a value of `seal` with the same `context`; throws `SecretBoxError` otherwise. */
  open(sealed: string, context: string): string {
    if (!sealed.startsWith(SEALED_PREFIX)) throw new SecretBoxError('not a sealed value');
    const [ivText, bodyText] = sealed.slice(SEALED_PREFIX.length).split('.');
    const iv = Buffer.from(ivText ?? '', 'base64url');
    const body = Buffer.from(bodyText ?? '', 'base64url');
    if (iv.length !== IV_BYTES || body.length < TAG_BYTES)
      throw new SecretBoxError('sealed value is malformed');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.encryptionKey, iv);
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      return Buffer.concat([
        decipher.update(body.subarray(0, body.length - TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new SecretBoxError('sealed value does not open with this secret key');
    }
  }

  /** A keyed hash of `secret` for finding it in the database without decrypting rows. */
  lookupHash(secret: string): string {
    return createHmac('sha256', this.lookupKey).update(secret, 'utf8').digest('base64url');
  }
}

/**
 * Decodes a secret key given as text: 64 hex digits, or base64/base64url of 32 bytes.
 * Throws with `source` named when it is neither.
 */
export function parseSecretKey(text: string, source: string): Buffer {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}={0,1}$/.test(trimmed)) {
    const bytes = Buffer.from(trimmed.replace(/\+/g, '-').replace(/\//g, '_'), 'base64url');
    if (bytes.length === SECRET_KEY_BYTES) return bytes;
  }
  throw new SecretBoxError(
    `${source}: must be ${SECRET_KEY_BYTES} random bytes as 64 hex digits or 43 base64url characters (make one with: openssl rand -hex 32)`,
  );
}

/** Where the secret key came from (for messages). */
export interface LoadedSecretKey {
  box: SecretBox;
  /** `COBROWSE_SECRET_KEY` or the file's path. */
  source: string;
  /** True when the key file was created now. */
  created: boolean;
}

/**
 * The installation's secret key: `given` (from `COBROWSE_SECRET_KEY`) when set, else the
 * key file in `dataDir`, created with 32 random bytes (mode 0600) the first time.
 */
export function loadSecretKey(dataDir: string, given: string | undefined): LoadedSecretKey {
  if (given !== undefined) {
    return {
      box: new SecretBox(parseSecretKey(given, 'COBROWSE_SECRET_KEY')),
      source: 'COBROWSE_SECRET_KEY',
      created: false,
    };
  }
  const file = path.join(dataDir, SECRET_KEY_FILE_NAME);
  if (existsSync(file)) {
    return {
      box: new SecretBox(parseSecretKey(readFileSync(file, 'utf8'), file)),
      source: file,
      created: false,
    };
  }
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(SECRET_KEY_BYTES);
  try {
    // 'wx': never overwrite a key another process wrote a moment ago.
    writeFileSync(file, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as { code?: string }).code === 'EEXIST') return loadSecretKey(dataDir, undefined);
    throw error;
  }
  try {
    chmodSync(file, 0o600);
  } catch {
    // Best effort (some file systems have no modes); the file is still created.
  }
  return { box: new SecretBox(key), source: file, created: true };
}
