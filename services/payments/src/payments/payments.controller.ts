import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
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
import {
  ApplyReviewedPaymentRequestDto,
  ListPaymentsRequestDto,
  RefundPaymentRequestDto,
  ReversePaymentRequestDto,
} from './dtos/payment-actions.request.dto';
import { PaymentPageDto, PaymentResponseDto } from './dtos/payment.response.dto';
import { RecordPaymentRequestDto } from './dtos/record-payment.request.dto';
import { Money } from '@duemap/money';
import {
  checkIdempotencyKey,
  IDEMPOTENCY_KEY_HEADER,
  parsePaymentRequest,
  parseRequestedAllocations,
} from './payment-request';
import type { PaymentView } from './payment.view';
import { GetPaymentUseCase } from './usecases/get-payment.usecase';
import { ListPaymentsUseCase, type PaymentPage } from './usecases/list-payments.usecase';
import { RecordPaymentUseCase } from './usecases/record-payment.usecase';
import { RefundPaymentUseCase } from './usecases/refund-payment.usecase';
import { ReversePaymentUseCase } from './usecases/reverse-payment.usecase';
import { ReviewPaymentUseCase } from './usecases/review-payment.usecase';

export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';

@ApiTags('payments')
@Controller('api/v1/payments')
export class PaymentsController {
  constructor(
    private readonly recordPayment: RecordPaymentUseCase,
    private readonly getPayment: GetPaymentUseCase,
    private readonly listPayments: ListPaymentsUseCase,
    private readonly reversePayment: ReversePaymentUseCase,
    private readonly refundPayment: RefundPaymentUseCase,
    private readonly reviewPayment: ReviewPaymentUseCase,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Payments, newest first, with filters',
    description:
      'status=needs_review is the cash application worklist: payments from bank statements the engine ' +
      'was not sure enough of, each with its suggestion, reasons and evidence. Keyset-paged: pass ' +
      'nextCursor as cursor.',
  })
  @ApiOkResponse({ type: PaymentPageDto })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED naming the query parameter' })
  list(@Query() query: ListPaymentsRequestDto, @CurrentIdentity() identity: Identity): Promise<PaymentPage> {
    return this.listPayments.execute({
      status: query.status,
      customerId: query.customerId,
      source: query.source,
      statementId: query.statementId,
      limit: query.limit === undefined ? 50 : Number(query.limit),
      cursor: query.cursor,
      territory: territoryOf(identity),
    });
  }

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

  @Post(':id/apply')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Decide a payment waiting for review',
    description:
      "Confirms the engine's suggestion (send its customerId, no allocations) or changes it (another " +
      'customer, or an explicit split). Checked like explicit allocations; the choice is recorded with ' +
      'who made it, and payment-received goes out.',
  })
  @ApiOkResponse({ type: PaymentResponseDto })
  @ApiNotFoundResponse({ description: 'PAYMENT_NOT_FOUND, CUSTOMER_NOT_FOUND, INVOICE_NOT_FOUND' })
  @ApiConflictResponse({ description: 'PAYMENT_NOT_IN_REVIEW' })
  @ApiUnprocessableEntityResponse({
    description:
      'CURRENCY_MISMATCH, DUPLICATE_ALLOCATION, ALLOCATIONS_EXCEED_PAYMENT, ALLOCATION_EXCEEDS_OPEN_AMOUNT, ' +
      'INVOICE_OF_ANOTHER_CUSTOMER, INVOICE_VOIDED, INVOICE_ALREADY_PAID, CREDIT_NOTE_NOT_PAYABLE',
  })
  apply(
    @Param('id') id: string,
    @Body() body: ApplyReviewedPaymentRequestDto,
    @CurrentIdentity() identity: Identity,
  ): Promise<PaymentView> {
    return this.reviewPayment.execute({
      paymentId: id,
      customerId: body.customerId,
      // Absent and null both mean "no split given" (the validator lets null through as absent).
      allocations:
        body.allocations === undefined || body.allocations === null
          ? undefined
          : parseRequestedAllocations(body.allocations),
      by: identity.subject,
      territory: territoryOf(identity),
    });
  }

  @Post(':id/reverse')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Reverse a payment (bounced cheque, returned transfer, chargeback)',
    description:
      'Undoes its allocations (the invoices reopen; status, pin and reminders follow) and the credit it ' +
      'left; emits payment-reversed. A reversed payment cannot be reversed again.',
  })
  @ApiOkResponse({ type: PaymentResponseDto })
  @ApiNotFoundResponse({ description: 'PAYMENT_NOT_FOUND' })
  @ApiConflictResponse({ description: 'PAYMENT_ALREADY_REVERSED, PAYMENT_IN_REVIEW' })
  reverse(
    @Param('id') id: string,
    @Body() body: ReversePaymentRequestDto,
    @CurrentIdentity() identity: Identity,
  ): Promise<PaymentView> {
    return this.reversePayment.execute({
      paymentId: id,
      reason: body.reason,
      detail: body.detail ?? '',
      by: identity.subject,
      territory: territoryOf(identity),
    });
  }

  @Post(':id/refunds')
  @HttpCode(201)
  @ApiOperation({
    summary: "Pay back part or all of what a payment left unapplied (the customer's credit)",
    description:
      'Never more than the unapplied part, in the payment currency; emits refund-issued. Idempotent by ' +
      'Idempotency-Key like POST /payments.',
  })
  @ApiHeader({ name: IDEMPOTENCY_KEY_HEADER, required: true, description: '1 to 200 characters' })
  @ApiCreatedResponse({ type: PaymentResponseDto })
  @ApiNotFoundResponse({ description: 'PAYMENT_NOT_FOUND' })
  @ApiConflictResponse({ description: 'IDEMPOTENCY_KEY_REUSED, PAYMENT_ALREADY_REVERSED, PAYMENT_IN_REVIEW' })
  @ApiUnprocessableEntityResponse({
    description:
      'REFUND_EXCEEDS_CREDIT, CURRENCY_MISMATCH, AMOUNT_NOT_POSITIVE, INVALID_AMOUNT, UNKNOWN_CURRENCY',
  })
  async refund(
    @Param('id') id: string,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Body() body: RefundPaymentRequestDto,
    @Res({ passthrough: true }) res: Response,
    @CurrentIdentity() identity: Identity,
  ): Promise<PaymentView> {
    const key = checkIdempotencyKey(idempotencyKey);
    const { payment, replayed } = await this.refundPayment.execute({
      paymentId: id,
      amount: Money.of(body.amount.amount, body.amount.currency, { field: 'amount.amount' }),
      method: body.method,
      reference: body.reference ?? '',
      idempotencyKey: key,
      by: identity.subject,
      territory: territoryOf(identity),
    });
    if (replayed) res.setHeader(IDEMPOTENT_REPLAYED_HEADER, 'true');
    return payment;
  }
}
