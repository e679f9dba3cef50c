/**
 * What authentication costs per request, in process, on this machine's CPU: the steps admission
 * takes at the gateway for a bearer token (verify — once per token per minute, then a cache hit —
 * and signing the identity for the service) and the service's check of that identity. bench:e2e
 * reports the same as the gateway's admission time under load (duemap_gateway_admission_seconds),
 * which on a busy machine is mostly waiting for the event loop; this prints the CPU cost alone.
 *
 *   npm run bench:auth [-- --iterations 20000]
 */
import { performance } from 'node:perf_hooks';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { InternalIdentity, TokenVerifier, type Identity } from '@duemap/auth';

const iterations = Number(process.argv[process.argv.indexOf('--iterations') + 1]) || 20_000;

async function time(what: string, runs: number, step: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.min(500, runs); i++) await step(i); // warm-up: JIT, caches
  const started = performance.now();
  for (let i = 0; i < runs; i++) await step(i);
  const micros = ((performance.now() - started) * 1000) / runs;
  console.log(`${what.padEnd(58)} ${micros.toFixed(1).padStart(8)} µs`);
  return micros;
}

async function main(): Promise<void> {
  const { publicKey, privateKey } = await generateKeyPair('EdDSA');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'bench', alg: 'EdDSA' };
  const issuer = 'http://127.0.0.1:8080';
  const mint = (subject: string): Promise<string> =>
    new SignJWT({ roles: ['finance'] })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'bench' })
      .setSubject(subject)
      .setIssuer(issuer)
      .setAudience('duemap')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey);
  const verifier = (): TokenVerifier =>
    new TokenVerifier({ issuer, audience: 'duemap', keys: createLocalJWKSet({ keys: [jwk] }) });
  const tokens = await Promise.all(Array.from({ length: 2000 }, (_, i) => mint(`user-${i}`)));
  const internal = new InternalIdentity('a-benchmark-secret-that-is-long-enough!!');
  const identity: Identity = { subject: 'alice', kind: 'user', roles: ['finance'] };
  const signed = await internal.sign(identity);

  console.log(`authentication, per request (${iterations} iterations, one core):`);
  const cold = verifier();
  const first = await time('gateway: verify a new token (EdDSA signature)', tokens.length, (i) =>
    cold.verify(tokens[i % tokens.length] ?? ''),
  );
  const warm = verifier();
  await warm.verify(tokens[0] ?? '');
  const cached = await time('gateway: verify a token seen before (cache hit)', iterations, () =>
    warm.verify(tokens[0] ?? ''),
  );
  const sign = await time('gateway: sign the identity for the service (HS256)', iterations, () =>
    internal.sign(identity),
  );
  const check = await time('service: verify the signed identity (HS256)', iterations, () =>
    internal.verify(signed),
  );
  console.log(
    `${'total per request, token already seen'.padEnd(58)} ${(cached + sign + check).toFixed(1).padStart(8)} µs`,
  );
  console.log(
    `${'total per request, a token the first time'.padEnd(58)} ${(first + sign + check).toFixed(1).padStart(8)} µs`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
