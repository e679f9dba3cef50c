import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Personal data at rest (contacts, street line, postcode) is sealed with AES-256-GCM.
 *
 * Stored form: `v1.<base64 of iv(12) | tag(16) | ciphertext>`. The version prefix leaves room for
 * a key rotation scheme without guessing what old rows hold. Each value is bound to its row and
 * column through the additional authenticated data (`context`, e.g. `customer:<id>:contacts`),
 * so a ciphertext copied into another customer's row or another column fails to open instead of
 * quietly showing one customer's contacts on another.
 */
export const PII_KEY_BYTES = 32;
const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export const PII_KEY_PROBLEM = `must be ${PII_KEY_BYTES} random bytes in base64 (e.g. \`openssl rand -base64 32\`)`;

/** Why a configured key is unusable, or undefined when it is fine. Never echoes the key. */
export function piiKeyProblem(base64Key: string): string | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64Key) || base64Key.length % 4 !== 0) return 'not base64';
  if (Buffer.from(base64Key, 'base64').length !== PII_KEY_BYTES) return `not ${PII_KEY_BYTES} bytes`;
  return undefined;
}

export class PiiDecryptionError extends Error {
  constructor(context: string, reason: string) {
    super(`cannot decrypt personal data (${context}): ${reason}`);
    this.name = 'PiiDecryptionError';
  }
}

export class PiiCipher {
  readonly #key: Buffer;

  constructor(base64Key: string) {
    const problem = piiKeyProblem(base64Key);
    if (problem !== undefined) throw new Error(`CUSTOMERS_PII_KEY ${PII_KEY_PROBLEM}: ${problem}`);
    this.#key = Buffer.from(base64Key, 'base64');
  }

  encrypt(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
  }

  decrypt(sealed: string, context: string): string {
    const dot = sealed.indexOf('.');
    if (dot < 0 || sealed.slice(0, dot) !== VERSION) {
      throw new PiiDecryptionError(context, 'unknown format');
    }
    const raw = Buffer.from(sealed.slice(dot + 1), 'base64');
    if (raw.length < IV_BYTES + TAG_BYTES) throw new PiiDecryptionError(context, 'too short');
    const decipher = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, IV_BYTES), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      // GCM does not say whether the key, the context or the bytes are wrong, and must not.
      throw new PiiDecryptionError(context, 'authentication failed (wrong key, wrong row or tampered)');
    }
  }

  encryptJson(value: unknown, context: string): string {
    return this.encrypt(JSON.stringify(value), context);
  }

  decryptJson<T>(sealed: string, context: string): T {
    return JSON.parse(this.decrypt(sealed, context)) as T;
  }
}
