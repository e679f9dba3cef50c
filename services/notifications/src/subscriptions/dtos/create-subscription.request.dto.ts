import { Topic } from '@duemap/events';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';

export const EVENT_TYPES: readonly string[] = Object.values(Topic);

/** POST /api/v1/subscriptions */
export class CreateSubscriptionRequestDto {
  @ApiProperty({
    description:
      'Where events are POSTed: http(s) only, never an internal address (loopback, private, link-local).',
    example: 'https://erp.example.com/duemap/events',
    maxLength: 2000,
  })
  @IsString()
  @MaxLength(2000)
  @Matches(/^https?:\/\//i, { message: 'url must be an http:// or https:// URL' })
  url!: string;

  @ApiProperty({
    description: 'Event types (topic names) delivered.',
    example: ['payments.payment-received.v1', 'invoicing.invoice-paid.v1'],
    isArray: true,
    enum: EVENT_TYPES,
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ArrayUnique()
  @IsIn(EVENT_TYPES, { each: true })
  eventTypes!: string[];

  @ApiPropertyOptional({
    description: "Only these customers' events; absent or empty: every customer's.",
    type: [String],
    format: 'uuid',
    maxItems: 1000,
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsUUID('all', { each: true })
  customerIds?: string[];

  @ApiPropertyOptional({
    description:
      'The HMAC-SHA256 key deliveries are signed with (16 to 256 characters); one is generated when absent. ' +
      'Shown only in the answer to this request.',
    minLength: 16,
    maxLength: 256,
  })
  @IsOptional()
  @IsString()
  @MinLength(16)
  @MaxLength(256)
  secret?: string;

  @ApiPropertyOptional({ maxLength: 200, example: 'SAP connector' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  description?: string;
}
