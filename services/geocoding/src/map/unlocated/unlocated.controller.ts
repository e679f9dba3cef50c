import { Controller, Get, Query } from '@nestjs/common';
import { CurrentIdentity, territoryOf, type Identity } from '@duemap/auth';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { afterOf, GetUnlocatedUseCase, type UnlocatedPage } from './get-unlocated.usecase';
import { GetUnlocatedRequestDto, UnlocatedCustomersResponseDto } from './unlocated.dto';

@ApiTags('map')
@Controller('api/v1/map')
export class UnlocatedController {
  constructor(private readonly unlocated: GetUnlocatedUseCase) {}

  @Get('unlocated')
  @ApiOperation({
    summary: 'Customers the map cannot show, with the reason',
    description:
      'The side list of the map: customers without a pin because their address resolved to nothing ' +
      '(NO_MATCH), only to a country (COUNTRY_ONLY), to several places (AMBIGUOUS), lacked the parts to ' +
      'try (INCOMPLETE_ADDRESS), or has not been geocoded yet (NOT_GEOCODED). Ordered by customer id, ' +
      'paged with nextCursor; limited to the caller’s territory.',
  })
  @ApiOkResponse({ type: UnlocatedCustomersResponseDto })
  @ApiBadRequestResponse({ description: 'limit (1-500) or cursor is malformed; the field is named.' })
  list(
    @Query() query: GetUnlocatedRequestDto,
    @CurrentIdentity() identity: Identity,
  ): Promise<UnlocatedPage> {
    const territory = territoryOf(identity);
    const after = afterOf(query.cursor);
    return this.unlocated.execute({
      ...(territory ? { territory } : {}),
      limit: query.limit ?? 100,
      ...(after !== undefined ? { after } : {}),
    });
  }
}
