import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { PiiCipher, PiiDecryptionError, piiKeyProblem } from './pii-cipher';

const key = randomBytes(32).toString('base64');

describe('PiiCipher', () => {
  const cipher = new PiiCipher(key);

  it('round-trips any text, including Chinese addresses', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string(), (text, context) => {
        expect(cipher.decrypt(cipher.encrypt(text, context), context)).toBe(text);
      }),
    );
    const contacts = [{ name: '李娜', email: 'ap@example.cn', phone: '+8613800138000' }];
    expect(cipher.decryptJson(cipher.encryptJson(contacts, 'c'), 'c')).toEqual(contacts);
  });

  it('never stores the plaintext and never repeats a ciphertext', () => {
    const a = cipher.encrypt('科技园南区高新南七道18号', 'customer:1:address');
    const b = cipher.encrypt('科技园南区高新南七道18号', 'customer:1:address');
    expect(a).toMatch(/^v1\.[A-Za-z0-9+/]+=*$/);
    expect(a).not.toBe(b);
    expect(Buffer.from(a.slice(3), 'base64').toString('utf8')).not.toContain('科技园');
  });

  it('refuses a ciphertext moved to another row or column (bound by context)', () => {
    const sealed = cipher.encrypt('secret', 'customer:a:contacts');
    expect(() => cipher.decrypt(sealed, 'customer:b:contacts')).toThrow(PiiDecryptionError);
    expect(() => cipher.decrypt(sealed, 'customer:a:address')).toThrow(PiiDecryptionError);
  });

  it('refuses a tampered ciphertext, an unknown format and another key', () => {
    const sealed = cipher.encrypt('secret', 'ctx');
    const raw = Buffer.from(sealed.slice(3), 'base64');
    raw[raw.length - 1] = (raw[raw.length - 1] ?? 0) ^ 1;
    expect(() => cipher.decrypt(`v1.${raw.toString('base64')}`, 'ctx')).toThrow(/authentication failed/);
    expect(() => cipher.decrypt('v2.AAAA', 'ctx')).toThrow(/unknown format/);
    expect(() => cipher.decrypt('v1.AAAA', 'ctx')).toThrow(/too short/);
    const other = new PiiCipher(randomBytes(32).toString('base64'));
    expect(() => other.decrypt(sealed, 'ctx')).toThrow(PiiDecryptionError);
  });

  it('accepts only 32-byte base64 keys, without echoing them', () => {
    expect(piiKeyProblem(key)).toBeUndefined();
    expect(piiKeyProblem(randomBytes(16).toString('base64'))).toBe('not 32 bytes');
    expect(piiKeyProblem('not base64!')).toBe('not base64');
    const bad = 'c2hvcnQ=';
    expect(() => new PiiCipher(bad)).toThrow(/CUSTOMERS_PII_KEY must be 32 random bytes/);
    try {
      new PiiCipher(bad);
    } catch (err) {
      expect(String(err)).not.toContain(bad);
    }
  });
});
