import { Body, Controller, Get, Headers, HttpCode, Param, Post, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { CurrentIdentity, territoryOf, type Identity } from '@duemap/auth';
import type { Response } from 'express';
import { PaymentResponseDto } from './dtos/payment.response.dto';
import { RecordPaymentRequestDto } from './dtos/record-payment.request.dto';
import { checkIdempotencyKey, IDEMPOTENCY_KEY_HEADER, parsePaymentRequest } from './payment-request';
import type { PaymentView } from './payment.view';
import { GetPaymentUseCase } from './usecases/get-payment.usecase';
import { RecordPaymentUseCase } from './usecases/record-payment.usecase';

export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';

@ApiTags('payments')
@Controller('api/v1/payments')
export class PaymentsController {
  constructor(
    private readonly recordPayment: RecordPaymentUseCase,
    private readonly getPayment: GetPaymentUseCase,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Record a payment and apply it to invoices',
    description:
      'Explicit allocations are applied as given; without them the payment goes to the open ' +
      'invoices in its currency, oldest due date first, and the rest stays unapplied. The same ' +
      'Idempotency-Key with the same body answers the same payment again (header ' +
      'Idempotent-Replayed: true); with another body it answers 409.',
  })
  @ApiHeader({ name: IDEMPOTENCY_KEY_HEADER, required: true, description: '1 to 200 characters' })
  @ApiCreatedResponse({ type: PaymentResponseDto })
  @ApiBadRequestResponse({ description: 'Missing Idempotency-Key or a malformed body (VALIDATION_FAILED).' })
  @ApiNotFoundResponse({ description: 'CUSTOMER_NOT_FOUND, INVOICE_NOT_FOUND' })
  @ApiConflictResponse({ description: 'IDEMPOTENCY_KEY_REUSED' })
  @ApiUnprocessableEntityResponse({
    description:
      'AMOUNT_NOT_POSITIVE, INVALID_AMOUNT, TOO_MANY_DECIMALS, UNKNOWN_CURRENCY, CURRENCY_MISMATCH, ' +
      'DUPLICATE_ALLOCATION, ALLOCATIONS_EXCEED_PAYMENT, ALLOCATION_EXCEEDS_OPEN_AMOUNT, ' +
      'INVOICE_OF_ANOTHER_CUSTOMER, INVOICE_VOIDED, INVOICE_ALREADY_PAID, CREDIT_NOTE_NOT_PAYABLE',
  })
  @ApiServiceUnavailableResponse({
    description: 'DEPENDENCY_UNAVAILABLE: customers or invoicing unreachable',
  })
  async record(
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Body() body: RecordPaymentRequestDto,
    @Res({ passthrough: true }) res: Response,
    @CurrentIdentity() identity: Identity,
  ): Promise<PaymentView> {
    const request = parsePaymentRequest(body, checkIdempotencyKey(idempotencyKey));
    const { payment, replayed } = await this.recordPayment.execute(request, territoryOf(identity));
    if (replayed) res.setHeader(IDEMPOTENT_REPLAYED_HEADER, 'true');
    return payment;
  }

  @Get(':id')
  @ApiOperation({ summary: 'A payment with its allocations and unapplied part' })
  @ApiOkResponse({ type: PaymentResponseDto })
  @ApiNotFoundResponse({ description: 'PAYMENT_NOT_FOUND' })
  get(@Param('id') id: string, @CurrentIdentity() identity: Identity): Promise<PaymentView> {
    return this.getPayment.execute(id, territoryOf(identity));
  }
}
