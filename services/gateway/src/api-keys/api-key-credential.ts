import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** `dm_<id without dashes>_<secret>`: the key a connector sends. */
const CREDENTIAL = /^dm_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;
/** Characters of the key shown in lists so people can tell their keys apart (`dm_1a2b3c4d`). */
const PREFIX_LENGTH = 11;

export const API_KEY_HEADER = 'x-api-key';

export interface ApiKeyCredential {
  /** The key's row id (uuid with dashes). */
  id: string;
  secret: string;
}

export interface IssuedSecret {
  secret: string;
  /** SHA-256 of the secret, what the table keeps. */
  hash: Buffer;
}

function dashed(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function newApiKeyId(): string {
  return randomUUID();
}

/**
 * 32 random bytes, base64url. Such a secret has 256 bits of entropy, so one unsalted SHA-256 of it
 * is enough to store: nobody can guess a secret from its hash faster than by guessing the secret
 * itself, and a slow password hash (scrypt, argon2) would only cost every request its time. A
 * slow hash is for secrets people choose; this one nobody chose.
 */
export function issueSecret(): IssuedSecret {
  const secret = randomBytes(32).toString('base64url');
  return { secret, hash: hashSecret(secret) };
}

export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** Equal hashes, compared in constant time so the answer's timing says nothing of the stored one. */
export function secretMatches(secret: string, storedHash: Buffer): boolean {
  const presented = hashSecret(secret);
  return presented.length === storedHash.length && timingSafeEqual(presented, storedHash);
}

export function formatApiKey(id: string, secret: string): string {
  return `dm_${id.replaceAll('-', '')}_${secret}`;
}

export function apiKeyPrefix(id: string): string {
  return formatApiKey(id, '').slice(0, PREFIX_LENGTH);
}

/** The id and secret of a key in the `dm_…` format, or undefined for anything else. */
export function parseApiKey(key: string): ApiKeyCredential | undefined {
  const match = CREDENTIAL.exec(key);
  if (!match?.[1] || !match[2]) return undefined;
  return { id: dashed(match[1]), secret: match[2] };
}

/**
 * The API key a request carries: `Authorization: ApiKey <key>` or `X-Api-Key: <key>`. Undefined
 * when it carries none (a bearer token, or nothing); '' when it carries an empty one, which is
 * refused like a wrong key rather than tried as another kind of credential.
 */
export function apiKeyOf(headers: IncomingHttpHeaders): string | undefined {
  const header = headers[API_KEY_HEADER];
  if (header !== undefined) return (Array.isArray(header) ? (header[0] ?? '') : header).trim();
  const authorization = headers.authorization;
  if (authorization === undefined || !/^apikey(\s|$)/i.test(authorization)) return undefined;
  return authorization.slice(6).trim();
}
