import type { IncomingMessage } from 'node:http';
import {
  Controller,
  Get,
  HttpCode,
  HttpException,
  HttpStatus,
  NotFoundException,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { IdentityService } from './identity.service';
import { localJwksUrl } from './issuer-settings';
import { loginPage } from './login-page';
import { readForm } from './read-form';
import { SIGNING_ALG, publicJwkOf } from './signing-keys';
import { clearedSessionCookie, safeNextPath, sessionCookie } from './session-cookie';
import { SignInThrottle } from './sign-in-throttle';

function refusal(status: number, code: string, message: string): HttpException {
  return new HttpException({ error: { code, message, details: [] } }, status);
}

// The page is served with a policy that allows its inline style and posting to itself, nothing else.
const PAGE_HEADERS: Record<string, string> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

/**
 * The local issuer's endpoints (outside /api/v1, no admission): discovery, the key set, the
 * password grant for scripts, and the console's sign-in page with its session cookie. They answer
 * 404 when AUTH_* name an outside provider, which then owns sign-in.
 */
@ApiExcludeController()
@Controller()
export class AuthController {
  constructor(
    private readonly identity: IdentityService,
    private readonly throttle: SignInThrottle,
  ) {}

  @Get('.well-known/openid-configuration')
  discovery(): Record<string, unknown> {
    this.requireLocal();
    const issuer = this.identity.config.AUTH_ISSUER.replace(/\/+$/, '');
    return {
      issuer: this.identity.config.AUTH_ISSUER,
      jwks_uri: localJwksUrl(issuer),
      token_endpoint: `${issuer}/auth/token`,
      authorization_endpoint: `${issuer}/auth/login`,
      end_session_endpoint: `${issuer}/auth/logout`,
      grant_types_supported: ['password'],
      response_types_supported: ['token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: [SIGNING_ALG],
      token_endpoint_auth_methods_supported: ['none'],
      claims_supported: [
        'iss',
        'aud',
        'sub',
        'exp',
        'nbf',
        'iat',
        'jti',
        'name',
        'roles',
        'duemap_territory',
      ],
    };
  }

  @Get('auth/jwks.json')
  async jwks(@Res({ passthrough: true }) res: Response): Promise<{ keys: unknown[] }> {
    this.requireLocal();
    // Verifiers refetch on an unknown kid anyway; a minute keeps a rotated key's arrival quick.
    res.setHeader('cache-control', 'public, max-age=60');
    return { keys: (await this.identity.keyStore.published()).map(publicJwkOf) };
  }

  /** OAuth2 resource-owner password grant (form or JSON): for scripts; people use the page. */
  @Post('auth/token')
  @HttpCode(200)
  async token(
    @Req() req: IncomingMessage,
    @Res({ passthrough: true }) res: Response,
  ): Promise<{ access_token: string; token_type: 'Bearer'; expires_in: number }> {
    this.requireLocal();
    res.setHeader('cache-control', 'no-store');
    const form = await readForm(req);
    if (form.grant_type !== 'password') {
      throw refusal(HttpStatus.BAD_REQUEST, 'UNSUPPORTED_GRANT_TYPE', 'grant_type must be password');
    }
    if (!form.username || !form.password) {
      throw refusal(HttpStatus.BAD_REQUEST, 'VALIDATION_FAILED', 'username and password are required');
    }
    const block = await this.throttle.blocked(req, form.username);
    if (block) {
      res.setHeader('retry-after', String(block.retryAfterSeconds));
      throw refusal(
        HttpStatus.TOO_MANY_REQUESTS,
        'RATE_LIMITED',
        `too many failed sign-ins; try again in ${block.retryAfterSeconds} s`,
      );
    }
    const user = await this.identity.users.authenticate(form.username, form.password);
    if (!user) {
      await this.throttle.failed(req, form.username);
      res.setHeader('www-authenticate', 'Bearer realm="duemap"');
      throw refusal(HttpStatus.UNAUTHORIZED, 'UNAUTHENTICATED', 'wrong user name or password');
    }
    await this.throttle.succeeded(req, form.username);
    const signed = await this.identity.issueFor(user);
    return { access_token: signed.token, token_type: 'Bearer', expires_in: signed.expiresIn };
  }

  @Get('auth/login')
  loginForm(@Query('next') next: string | undefined, @Res() res: Response): void {
    this.requireLocal();
    res
      .status(200)
      .set(PAGE_HEADERS)
      .send(loginPage({ next: safeNextPath(next) }));
  }

  @Post('auth/login')
  async login(@Req() req: IncomingMessage, @Res() res: Response): Promise<void> {
    this.requireLocal();
    const form = await readForm(req);
    const next = safeNextPath(form.next);
    const username = form.username ?? '';
    const block = await this.throttle.blocked(req, username);
    if (block) {
      res
        .status(429)
        .set(PAGE_HEADERS)
        .set('retry-after', String(block.retryAfterSeconds))
        .send(loginPage({ next, username, failed: true }));
      return;
    }
    const user =
      form.username && form.password
        ? await this.identity.users.authenticate(form.username, form.password)
        : undefined;
    if (user) await this.throttle.succeeded(req, username);
    else await this.throttle.failed(req, username);
    if (!user) {
      res
        .status(401)
        .set(PAGE_HEADERS)
        .send(loginPage({ next, username: form.username, failed: true }));
      return;
    }
    const signed = await this.identity.issueFor(user);
    res
      .status(303)
      .set('cache-control', 'no-store')
      .set('set-cookie', sessionCookie(signed.token, signed.expiresIn, this.secureCookies()))
      .set('location', next)
      .end();
  }

  @Post('auth/logout')
  logout(@Res() res: Response): void {
    this.requireLocal();
    res
      .status(303)
      .set('cache-control', 'no-store')
      .set('set-cookie', clearedSessionCookie(this.secureCookies()))
      .set('location', '/auth/login')
      .end();
  }

  private secureCookies(): boolean {
    return this.identity.config.AUTH_ISSUER.startsWith('https:');
  }

  private requireLocal(): void {
    if (!this.identity.local) {
      throw new NotFoundException({
        error: { code: 'NOT_FOUND', message: 'sign-in is at the configured AUTH_ISSUER', details: [] },
      });
    }
  }
}
