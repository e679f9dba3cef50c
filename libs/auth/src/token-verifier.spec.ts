import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT, type JWK, type KeyLike } from 'jose';
import { createLocalJWKSet } from 'jose';
import { TokenVerifier } from './token-verifier';

const ISSUER = 'https://idp.example.com/realms/duemap';
const AUDIENCE = 'duemap';

describe('TokenVerifier', () => {
  let privateKey: KeyLike;
  let other: KeyLike;
  let verifier: TokenVerifier;

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256');
    privateKey = pair.privateKey;
    other = (await generateKeyPair('ES256')).privateKey;
    const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' };
    verifier = new TokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      keys: createLocalJWKSet({ keys: [jwk] }),
      rolesClaim: 'realm_access.roles',
    });
  });

  function token(claims: Record<string, unknown> = {}): SignJWT {
    return new SignJWT({ realm_access: { roles: ['collector', 'not-a-role'] }, ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setSubject('li.wei')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('10m');
  }

  it('reads the subject, the known roles and the territory of a valid token', async () => {
    const jwt = await token({ duemap_territory: { provinces: ['CN/广东省'], customerIds: ['ABC'] } }).sign(
      privateKey,
    );
    await expect(verifier.verify(jwt)).resolves.toEqual({
      subject: 'li.wei',
      kind: 'user',
      roles: ['collector'],
      territory: { countries: [], provinces: ['CN/广东省'], salesTerritories: [], customerIds: ['abc'] },
    });
  });

  it('refuses alg none, another key, expiry, not-before, issuer and audience', async () => {
    const none = new UnsecuredJWT({ realm_access: { roles: ['admin'] } })
      .setSubject('x')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('10m')
      .encode();
    await expect(verifier.verify(none)).rejects.toThrow();
    await expect(verifier.verify(await token().sign(other))).rejects.toThrow();
    await expect(
      verifier.verify(
        await token()
          .setExpirationTime(Math.floor(Date.now() / 1000) - 120)
          .sign(privateKey),
      ),
    ).rejects.toThrow(/exp/);
    await expect(verifier.verify(await token().setNotBefore('1h').sign(privateKey))).rejects.toThrow(/nbf/);
    await expect(
      verifier.verify(await token().setIssuer('https://evil.example.com').sign(privateKey)),
    ).rejects.toThrow(/iss/);
    await expect(verifier.verify(await token().setAudience('other').sign(privateKey))).rejects.toThrow(/aud/);
  });

  it('refuses an HMAC token even if its secret were the public key', async () => {
    const hmac = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
      .setSubject('x')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode('a-secret-of-at-least-thirty-two-bytes!!'));
    await expect(verifier.verify(hmac)).rejects.toThrow();
  });
});
