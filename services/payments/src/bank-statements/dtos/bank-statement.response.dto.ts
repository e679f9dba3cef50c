import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IMPORT_FORMATS, STATEMENT_FORMATS } from '../parsing/statement-line';

class StatementMoneyDto {
  @ApiProperty({ example: '1234.50' })
  amount!: string;

  @ApiProperty({ example: 'EUR' })
  currency!: string;
}

/** The answer to an upload: what the file held and what of it is new. */
export class BankStatementImportResponseDto {
  @ApiProperty({
    format: 'uuid',
    description: 'The new import; when nothing was new (200), the earlier import of these lines.',
  })
  id!: string;

  @ApiProperty({ enum: STATEMENT_FORMATS })
  format!: string;

  @ApiPropertyOptional({ example: 'icbc', nullable: true, type: String })
  layout!: string | null;

  @ApiProperty({ description: 'Statements (camt Stmt/Ntfctn, MT940 :20: messages) in the file.' })
  statements!: number;

  @ApiProperty({ type: [String] })
  accounts!: string[];

  @ApiProperty()
  lines!: number;

  @ApiProperty()
  credits!: number;

  @ApiProperty()
  debits!: number;

  @ApiProperty({ description: 'New credit lines recorded as payment candidates (status unmatched).' })
  candidates!: number;

  @ApiProperty({
    description: 'Credit lines recognised from an earlier import (bank id, end-to-end id, entry).',
  })
  duplicates!: number;

  @ApiProperty({ description: 'Debits, reversals, entries not booked, zero amounts.' })
  notCandidates!: number;

  @ApiProperty()
  sizeBytes!: number;
}

class StatementPayerDto {
  @ApiPropertyOptional({ nullable: true, type: String })
  name!: string | null;

  @ApiPropertyOptional({ nullable: true, type: String })
  iban!: string | null;

  @ApiPropertyOptional({ nullable: true, type: String })
  account!: string | null;

  @ApiPropertyOptional({ nullable: true, type: String })
  bic!: string | null;
}

class StatementReferencesDto {
  @ApiPropertyOptional({ nullable: true, type: String, example: 'RF18539007547034' })
  creditorReference!: string | null;

  @ApiPropertyOptional({ nullable: true, type: String })
  qrReference!: string | null;

  @ApiPropertyOptional({ nullable: true, type: String })
  endToEndId!: string | null;

  @ApiPropertyOptional({ nullable: true, type: String })
  bankTransactionId!: string | null;

  @ApiPropertyOptional({ nullable: true, type: String })
  entryRef!: string | null;

  @ApiPropertyOptional({ nullable: true, type: String })
  mandateId!: string | null;

  @ApiProperty({ type: [String] })
  documentNumbers!: string[];
}

class StatementSourceDto {
  @ApiProperty({ description: '1-based line in the file.' })
  line!: number;

  @ApiPropertyOptional({ nullable: true, type: Number })
  column!: number | null;

  @ApiPropertyOptional({ nullable: true, type: String, example: '/Document/BkToCstmrStmt/Stmt[1]/Ntry[3]' })
  path!: string | null;
}

export class BankStatementLineDto {
  @ApiProperty()
  lineNo!: number;

  @ApiProperty({ enum: ['unmatched', 'duplicate', 'not_candidate'] })
  status!: string;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    enum: ['debit', 'reversal', 'not_booked', 'zero_amount'],
  })
  reason!: string | null;

  @ApiPropertyOptional({ nullable: true, type: String, format: 'uuid' })
  duplicateOf!: string | null;

  @ApiProperty()
  statementRef!: string;

  @ApiPropertyOptional({ nullable: true, type: String })
  account!: string | null;

  @ApiProperty()
  entryIndex!: number;

  @ApiProperty()
  txIndex!: number;

  @ApiPropertyOptional({ nullable: true, type: String, example: '2024-03-07' })
  bookingDate!: string | null;

  @ApiPropertyOptional({ nullable: true, type: String })
  valueDate!: string | null;

  @ApiProperty({ enum: ['credit', 'debit'] })
  direction!: string;

  @ApiProperty({ enum: ['booked', 'pending', 'info'] })
  bookingStatus!: string;

  @ApiProperty()
  reversal!: boolean;

  @ApiProperty({ type: StatementMoneyDto })
  amount!: StatementMoneyDto;

  @ApiProperty({ type: StatementPayerDto })
  payer!: StatementPayerDto;

  @ApiProperty()
  remittance!: string;

  @ApiProperty({ type: StatementReferencesDto })
  references!: StatementReferencesDto;

  @ApiProperty({ type: StatementSourceDto })
  source!: StatementSourceDto;
}

export class BankStatementResponseDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({
    enum: IMPORT_FORMATS,
    description: "The uploaded file's format, or feed: records of the Kafka topic bank.payments.v1.",
  })
  format!: string;

  @ApiPropertyOptional({ nullable: true, type: String })
  layout!: string | null;

  @ApiProperty()
  fileSha256!: string;

  @ApiProperty()
  sizeBytes!: number;

  @ApiProperty()
  statements!: number;

  @ApiProperty({ type: [String] })
  accounts!: string[];

  @ApiProperty()
  lines!: number;

  @ApiProperty()
  credits!: number;

  @ApiProperty()
  debits!: number;

  @ApiProperty()
  candidates!: number;

  @ApiProperty()
  duplicates!: number;

  @ApiProperty()
  notCandidates!: number;

  @ApiProperty()
  importedBy!: string;

  @ApiProperty()
  importedAt!: string;

  @ApiProperty({ type: [BankStatementLineDto], description: 'A page of lines in file order.' })
  items!: BankStatementLineDto[];

  @ApiPropertyOptional({ nullable: true, type: String, description: 'Pass as ?cursor= for the next page.' })
  nextCursor!: string | null;
}
