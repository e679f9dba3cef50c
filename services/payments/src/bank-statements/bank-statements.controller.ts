import { Controller, Get, Headers, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { CurrentIdentity, type Identity } from '@duemap/auth';
import { InjectConfig } from '@duemap/config';
import type { Request, Response } from 'express';
import type { PaymentsConfig } from '../config';
import { BankStatementErrorCode, BankStatementException } from './bank-statement.exception';
import { BankStatementImportResponseDto, BankStatementResponseDto } from './dtos/bank-statement.response.dto';
import {
  GetBankStatementQueryDto,
  ImportBankStatementQueryDto,
} from './dtos/import-bank-statement.request.dto';
import { GetBankStatementUseCase, type BankStatementView } from './usecases/get-bank-statement.usecase';
import { ImportBankStatementUseCase, type ImportResult } from './usecases/import-bank-statement.usecase';

/** The raw-body content types an upload may have; the body is the file itself, streamed. */
export const STATEMENT_CONTENT_TYPES = [
  'application/xml',
  'text/xml',
  'text/plain',
  'text/csv',
  'application/octet-stream',
] as const;

@ApiTags('bank-statements')
@Controller('api/v1/bank-statements')
export class BankStatementsController {
  constructor(
    private readonly importStatement: ImportBankStatementUseCase,
    private readonly getStatement: GetBankStatementUseCase,
    @InjectConfig() private readonly config: PaymentsConfig,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Import a bank statement (camt.053/054, MT940, CSV)',
    description:
      'The body is the file itself (Content-Type application/xml, text/plain, text/csv or ' +
      'application/octet-stream), streamed to the parser; the format is detected from the content ' +
      'unless ?format= names it. Nothing is stored unless the whole file parses. Each new booked ' +
      'credit becomes a payment candidate (status unmatched); credits imported before are counted ' +
      'as duplicates. A re-upload with nothing new answers 200 and stores nothing. Over ' +
      'BANK_STATEMENT_MAX_BYTES (default 200 MB): 413, by Content-Length before the body is read.',
  })
  @ApiConsumes(...STATEMENT_CONTENT_TYPES)
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiCreatedResponse({ type: BankStatementImportResponseDto, description: 'New lines were stored.' })
  @ApiOkResponse({
    type: BankStatementImportResponseDto,
    description: 'Nothing new: every credit was imported before.',
  })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED: content type, format or layout.' })
  @ApiPayloadTooLargeResponse({ description: 'PAYLOAD_TOO_LARGE' })
  @ApiUnprocessableEntityResponse({
    description:
      'The file does not parse; the message names the line (and column or element path): ' +
      'UNKNOWN_STATEMENT_FORMAT, STATEMENT_TRUNCATED, MALFORMED_XML, MISSING_ELEMENT, INVALID_AMOUNT, ' +
      'INVALID_CURRENCY, INVALID_DATE, INVALID_VALUE, MALFORMED_TAG, MALFORMED_CSV, WRONG_COLUMN_COUNT, ' +
      'ENTRY_TOO_LARGE, EMPTY_STATEMENT',
  })
  async import(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @Query() query: ImportBankStatementQueryDto,
    @Headers('content-type') contentType: string | undefined,
    @Headers('content-length') contentLength: string | undefined,
    @CurrentIdentity() identity: Identity,
  ): Promise<BankStatementImportResponseDto> {
    const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (!(STATEMENT_CONTENT_TYPES as readonly string[]).includes(type)) {
      throw new BankStatementException(
        BankStatementErrorCode.ValidationFailed,
        `Content-Type must be one of ${STATEMENT_CONTENT_TYPES.join(', ')}: the body is the statement file`,
        'content-type',
      );
    }
    const declared =
      contentLength !== undefined && /^[0-9]{1,15}$/.test(contentLength) ? Number(contentLength) : undefined;
    const maxBytes = this.config.BANK_STATEMENT_MAX_BYTES;
    let result: ImportResult;
    try {
      // The parser stops reading at the first error; the body must outlive it (see discardRest).
      result = await this.importStatement.execute(req.iterator({ destroyOnReturn: false }), {
        format: query.format,
        layout: query.layout,
        declaredBytes: declared,
        maxBytes,
        importedBy: identity.subject,
      });
    } catch (err) {
      const tooLarge = err instanceof BankStatementException && err.code === BankStatementErrorCode.TooLarge;
      if (!tooLarge) await discardRest(req, maxBytes);
      throw err;
    }
    if (!result.stored) res.status(200);
    return toImportResponse(result);
  }

  @Get(':id')
  @ApiOperation({
    summary: 'An imported bank statement: its counts and a page of its lines with their status',
  })
  @ApiOkResponse({ type: BankStatementResponseDto })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED: cursor or limit.' })
  @ApiNotFoundResponse({ description: 'BANK_STATEMENT_NOT_FOUND' })
  get(@Param('id') id: string, @Query() query: GetBankStatementQueryDto): Promise<BankStatementView> {
    return this.getStatement.execute(
      id,
      query.cursor === undefined ? 0 : Number(query.cursor),
      query.limit ?? 200,
    );
  }
}

/**
 * Reads and drops what is left of a refused upload (up to the size limit), so that the client,
 * still sending, gets the 4xx that names the line instead of a connection reset: a server that
 * answers before the body's end closes the connection under the sender. Past the limit it stops
 * and the connection closes as for any oversized body.
 */
async function discardRest(req: Request, maxBytes: number): Promise<void> {
  if (req.readableEnded || req.destroyed) return;
  let bytes = 0;
  await new Promise<void>((resolve) => {
    const done = (): void => {
      req.off('data', count);
      resolve();
    };
    const count = (chunk: Buffer): void => {
      bytes += chunk.length;
      if (bytes > maxBytes) {
        req.destroy();
        done();
      }
    };
    req.on('data', count);
    req.once('end', done);
    req.once('error', done);
    req.once('close', done);
    req.resume();
  });
}

function toImportResponse(result: ImportResult): BankStatementImportResponseDto {
  return {
    id: result.id,
    format: result.format,
    layout: result.layout,
    statements: result.statements,
    accounts: result.accounts,
    lines: result.lines,
    credits: result.credits,
    debits: result.debits,
    candidates: result.candidates,
    duplicates: result.duplicates,
    notCandidates: result.notCandidates,
    sizeBytes: result.sizeBytes,
  };
}
