import { Controller, Get, Query } from '@nestjs/common';
import { CurrentIdentity, territoryOf, type Identity } from '@duemap/auth';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ListRemindersRequestDto } from './dtos/list-reminders.request.dto';
import { ReminderResponseDto } from './dtos/reminder.response.dto';
import { ListRemindersUseCase } from './usecases/list-reminders.usecase';

@ApiTags('reminders')
@Controller('api/v1/reminders')
export class RemindersController {
  constructor(private readonly listReminders: ListRemindersUseCase) {}

  @Get()
  @ApiOperation({
    summary: "An invoice's or a customer's reminders",
    description:
      'Exactly one of invoiceId and customerId. Every dunning step of the invoices, ordered by scheduledFor: ' +
      'scheduled, sent, cancelled (with the reason) or skipped (its time had passed when the invoice arrived).',
  })
  @ApiOkResponse({ type: ReminderResponseDto, isArray: true })
  @ApiBadRequestResponse({
    description: 'Neither or both filters, or one that is not a UUID (named in details).',
  })
  async list(
    @Query() query: ListRemindersRequestDto,
    @CurrentIdentity() identity: Identity,
  ): Promise<ReminderResponseDto[]> {
    const reminders = await this.listReminders.execute(query, territoryOf(identity));
    return reminders.map((r) => ReminderResponseDto.of(r));
  }
}
