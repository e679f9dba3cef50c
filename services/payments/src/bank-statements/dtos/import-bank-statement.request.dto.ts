import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { CSV_LAYOUTS } from '../parsing/csv-layouts';
import { STATEMENT_FORMATS } from '../parsing/statement-line';

const blankToUndefined = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/** `?format=&layout=` of an upload: both optional, detection decides otherwise. */
export class ImportBankStatementQueryDto {
  @ApiPropertyOptional({ enum: STATEMENT_FORMATS, description: 'Overrides detection from the content.' })
  @Transform(blankToUndefined)
  @IsOptional()
  @IsIn(STATEMENT_FORMATS, { message: `format must be one of ${STATEMENT_FORMATS.join(', ')}` })
  format?: (typeof STATEMENT_FORMATS)[number];

  @ApiPropertyOptional({
    enum: Object.keys(CSV_LAYOUTS),
    description: 'CSV layout; detected from the header names when left out (BOC, ICBC), else generic.',
  })
  @Transform(blankToUndefined)
  @IsOptional()
  @IsIn(Object.keys(CSV_LAYOUTS), { message: `layout must be one of ${Object.keys(CSV_LAYOUTS).join(', ')}` })
  layout?: string;
}

/** `?cursor=&limit=` of the lines of an import. */
export class GetBankStatementQueryDto {
  @ApiPropertyOptional({ description: 'nextCursor of the page before.' })
  @Transform(blankToUndefined)
  @IsOptional()
  @Matches(/^[0-9]{1,9}$/, { message: 'cursor must be a nextCursor this API handed out' })
  cursor?: string;

  @ApiPropertyOptional({ description: 'Lines per page, 1-1000.', default: 200 })
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^[0-9]+$/.test(value) ? Number(value) : value,
  )
  @IsOptional()
  @IsInt({ message: 'limit must be an integer between 1 and 1000' })
  @Min(1, { message: 'limit must be an integer between 1 and 1000' })
  @Max(1000, { message: 'limit must be an integer between 1 and 1000' })
  limit?: number;
}
