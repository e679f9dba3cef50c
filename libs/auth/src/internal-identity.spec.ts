import { InternalIdentity } from './internal-identity';
import type { Identity } from './identity';

const SECRET = 'a-test-secret-that-is-long-enough-for-hs256';

describe('InternalIdentity', () => {
  const collector: Identity = {
    subject: 'li.wei',
    kind: 'user',
    roles: ['collector'],
    territory: { countries: [], provinces: ['CN/广东省'], salesTerritories: [], customerIds: [] },
  };

  it('carries the identity from the gateway to a service', async () => {
    const signer = new InternalIdentity(SECRET);
    await expect(signer.verify(await signer.sign(collector))).resolves.toEqual(collector);
    const key: Identity = {
      subject: 'api-key:1',
      kind: 'api-key',
      roles: ['integration'],
      scope: ['customers:write'],
      sources: ['sap'],
      keyId: '1',
    };
    await expect(signer.verify(await signer.sign(key))).resolves.toEqual(key);
  });

  it('refuses another secret, an expired statement and a tampered one', async () => {
    const token = await new InternalIdentity(SECRET).sign(collector);
    await expect(new InternalIdentity(`${SECRET}-other`).verify(token)).rejects.toThrow();
    const old = await new InternalIdentity(SECRET).sign(collector, Date.now() - 10 * 60_000);
    await expect(new InternalIdentity(SECRET).verify(old)).rejects.toThrow(/exp/);
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, rol: ['admin'] })).toString('base64url');
    await expect(new InternalIdentity(SECRET).verify(`${header}.${forged}.${signature}`)).rejects.toThrow();
  });

  it('refuses a short secret at construction', () => {
    expect(() => new InternalIdentity('short')).toThrow(/32 bytes/);
  });
});
