import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { CurrentIdentity, territoryOf, type Identity } from '@duemap/auth';
import type { Response } from 'express';
import { InvoicePageResponseDto, InvoiceResponseDto } from './dtos/invoice.response.dto';
import { ListInvoicesRequestDto } from './dtos/list-invoices.request.dto';
import { InvoiceSourceParamsDto, UpsertInvoiceRequestDto } from './dtos/upsert-invoice.request.dto';
import { VoidInvoiceRequestDto } from './dtos/void-invoice.request.dto';
import { toInvoiceView, type InvoiceView } from './invoice.view';
import { GetInvoiceUseCase } from './usecases/get-invoice.usecase';
import { ListInvoicesUseCase, type InvoicePage } from './usecases/list-invoices.usecase';
import { UpsertInvoiceUseCase } from './usecases/upsert-invoice.usecase';
import { VoidInvoiceUseCase } from './usecases/void-invoice.usecase';

@ApiTags('invoices')
@Controller('api/v1/invoices')
export class InvoicesController {
  constructor(
    private readonly upsertInvoice: UpsertInvoiceUseCase,
    private readonly getInvoice: GetInvoiceUseCase,
    private readonly listInvoices: ListInvoicesUseCase,
    private readonly voidInvoice: VoidInvoiceUseCase,
  ) {}

  @Put(':sourceSystem/:externalId')
  @ApiOperation({
    summary: 'Create or update an invoice by its source record',
    description:
      'Idempotent by (sourceSystem, externalId). 201 and invoice-issued when new; 200 and invoice-changed ' +
      'when something changed; 200 and no event when nothing did. Name the customer by customerId or by ' +
      'customer {sourceSystem, externalId}, exactly one.',
  })
  @ApiCreatedResponse({ type: InvoiceResponseDto, description: 'Created' })
  @ApiOkResponse({ type: InvoiceResponseDto, description: 'Updated or unchanged' })
  @ApiBadRequestResponse({ description: 'A field is missing or malformed (named in details)' })
  @ApiNotFoundResponse({ description: 'CUSTOMER_NOT_FOUND' })
  @ApiConflictResponse({
    description:
      'INVOICE_VOIDED: a void invoice cannot change; STALE_SOURCE_VERSION: sourceVersion is older than the one held',
  })
  @ApiUnprocessableEntityResponse({
    description:
      'Bad amount or currency; with payments applied, a new currency, customer or a total below what was paid',
  })
  async upsert(
    @Param() params: InvoiceSourceParamsDto,
    @Body() body: UpsertInvoiceRequestDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<InvoiceView> {
    const result = await this.upsertInvoice.execute({
      source: { sourceSystem: params.sourceSystem, externalId: params.externalId },
      customerId: body.customerId ?? undefined,
      customer: body.customer ?? undefined,
      number: body.number,
      issueDate: body.issueDate,
      dueDate: body.dueDate,
      total: body.total,
      lines: body.lines,
      ...(body.sourceVersion === undefined ? {} : { sourceVersion: BigInt(body.sourceVersion) }),
    });
    res.status(result.created ? 201 : 200);
    return toInvoiceView(result.invoice, result.payments);
  }

  @Get()
  @ApiOperation({ summary: 'List invoices by customer and/or status, oldest due date first' })
  @ApiOkResponse({ type: InvoicePageResponseDto })
  list(@Query() query: ListInvoicesRequestDto, @CurrentIdentity() identity: Identity): Promise<InvoicePage> {
    return this.listInvoices.execute({
      customerId: query.customerId,
      status: query.status,
      limit: query.limit ?? 100,
      offset: query.offset ?? 0,
      territory: territoryOf(identity),
    });
  }

  @Get(':id')
  @ApiOperation({ summary: 'One invoice with its open amount, status and applied payments' })
  @ApiOkResponse({ type: InvoiceResponseDto })
  @ApiNotFoundResponse({ description: 'INVOICE_NOT_FOUND (also for ids that are not UUIDs)' })
  get(@Param('id') id: string, @CurrentIdentity() identity: Identity): Promise<InvoiceView> {
    return this.getInvoice.execute(id, territoryOf(identity));
  }

  @Post(':id/void')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Void an invoice',
    description:
      'Terminal: the invoice owes nothing and emits invoice-voided + invoice-changed. 409 INVOICE_VOIDED when ' +
      'void already, 409 INVOICE_HAS_PAYMENTS when payments are applied (reverse them first).',
  })
  @ApiOkResponse({ type: InvoiceResponseDto })
  @ApiNotFoundResponse({ description: 'INVOICE_NOT_FOUND' })
  @ApiConflictResponse({ description: 'INVOICE_VOIDED or INVOICE_HAS_PAYMENTS' })
  void(
    @Param('id') id: string,
    @CurrentIdentity() identity: Identity,
    @Body() body: VoidInvoiceRequestDto = {},
  ): Promise<InvoiceView> {
    return this.voidInvoice.execute({ id, reason: body?.reason, territory: territoryOf(identity) });
  }
}
