import { hashPassword, needsRehash, verifyPassword, type ScryptParams } from './password-hash';

// The real parameters cost 32 MiB and ~100 ms a hash; the logic is the same with cheaper ones.
const CHEAP: ScryptParams = { N: 2 ** 10, r: 8, p: 1 };

describe('password hashing', () => {
  it('stores the parameters and a random salt with the hash', async () => {
    const a = await hashPassword('correct horse', CHEAP);
    const b = await hashPassword('correct horse', CHEAP);
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(a).not.toBe(b);
  });

  it('verifies the right password and refuses others', async () => {
    const stored = await hashPassword('correct horse', CHEAP);
    await expect(verifyPassword('correct horse', stored)).resolves.toBe(true);
    await expect(verifyPassword('correct horsE', stored)).resolves.toBe(false);
    await expect(verifyPassword('', stored)).resolves.toBe(false);
  });

  it('uses N=2^15, r=8, p=1 by default', async () => {
    expect(await hashPassword('x')).toMatch(/^scrypt\$32768\$8\$1\$/);
  });

  it('never matches a malformed or tampered stored hash', async () => {
    const stored = await hashPassword('pw', CHEAP);
    const parts = stored.split('$');
    await expect(verifyPassword('pw', 'plain-text-password')).resolves.toBe(false);
    await expect(verifyPassword('pw', ['scrypt', '1000', ...parts.slice(2)].join('$'))).resolves.toBe(false);
    await expect(verifyPassword('pw', [...parts.slice(0, 5), 'AAAA'].join('$'))).resolves.toBe(false);
    await expect(
      verifyPassword('pw', ['scrypt', String(2 ** 30), ...parts.slice(2)].join('$')),
    ).resolves.toBe(false);
  });

  it('asks for a rehash of hashes made with weaker parameters', async () => {
    expect(needsRehash(await hashPassword('pw', CHEAP))).toBe(true);
    expect(needsRehash(await hashPassword('pw'))).toBe(false);
  });
});
