import { Module } from '@nestjs/common';
import { AuthController } from './auth.controller';
import { IdentityService } from './identity.service';
import { MeController } from './me.controller';
import { SignInThrottle } from './sign-in-throttle';

/** The local issuer (keys, users, sign-in) and `GET /api/v1/me`; admission asks `app.get(IdentityService)`. */
@Module({
  controllers: [AuthController, MeController],
  providers: [IdentityService, SignInThrottle],
  exports: [IdentityService],
})
export class IdentityModule {}
