import { Controller, Get, Query } from '@nestjs/common';
import { CurrentIdentity, territoryOf, type Identity } from '@duemap/auth';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DeliveryResponseDto } from './dtos/delivery.response.dto';
import { ListDeliveriesRequestDto } from './dtos/list-deliveries.request.dto';
import { ListDeliveriesUseCase } from './usecases/list-deliveries.usecase';

@ApiTags('deliveries')
@Controller('api/v1/deliveries')
export class DeliveriesController {
  constructor(private readonly listDeliveries: ListDeliveriesUseCase) {}

  @Get()
  @ApiOperation({
    summary: "The delivery log of an invoice's or a customer's reminders",
    description:
      'invoiceId or customerId (or both), optionally a status. One entry per reminder handed to a channel: ' +
      "status, attempts, the provider's last answer and the last error, newest attempt first (at most `limit`).",
  })
  @ApiOkResponse({ type: DeliveryResponseDto, isArray: true })
  @ApiBadRequestResponse({ description: 'No filter, or one that is not valid (named in details).' })
  async list(
    @Query() query: ListDeliveriesRequestDto,
    @CurrentIdentity() identity: Identity,
  ): Promise<DeliveryResponseDto[]> {
    const deliveries = await this.listDeliveries.execute(query, territoryOf(identity));
    return deliveries.map((d) => DeliveryResponseDto.of(d));
  }
}
