import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { CurrentIdentity, type Identity } from '@duemap/auth';
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
import { CreateSubscriptionRequestDto } from './dtos/create-subscription.request.dto';
import { RedeliverRequestDto } from './dtos/redeliver.request.dto';
import {
  CreatedSubscriptionResponseDto,
  DeadLetterResponseDto,
  RedeliveredResponseDto,
  SubscriptionResponseDto,
} from './dtos/subscription.response.dto';
import { SubscriptionsRepository } from './subscriptions.repository';
import { CreateSubscriptionUseCase } from './usecases/create-subscription.usecase';
import { RedeliverDeadLettersUseCase } from './usecases/redeliver-dead-letters.usecase';

const uuid = new ParseUUIDPipe({ version: undefined });

@ApiTags('subscriptions')
@Controller('api/v1/subscriptions')
export class SubscriptionsController {
  constructor(
    private readonly createSubscription: CreateSubscriptionUseCase,
    private readonly redeliverDeadLetters: RedeliverDeadLettersUseCase,
    private readonly subscriptions: SubscriptionsRepository,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Subscribe an outside system to events by webhook',
    description:
      'Each matching event is POSTed as JSON, signed (Duemap-Webhook-Signature: v1=HMAC-SHA256 of "<timestamp>.<body>" ' +
      'with the secret), with Duemap-Webhook-Id = the event id to deduplicate; retried with exponential backoff, then ' +
      "kept in the subscription's dead-letter list. The secret is in this answer only.",
  })
  @ApiCreatedResponse({ type: CreatedSubscriptionResponseDto })
  @ApiBadRequestResponse({ description: 'A field missing, too long or not valid (named in details).' })
  @ApiUnprocessableEntityResponse({
    description:
      'The URL is not http(s), or reaches a refused address (loopback, private, link-local, metadata).',
  })
  @ApiConflictResponse({ description: 'Too many subscriptions already.' })
  async create(
    @Body() body: CreateSubscriptionRequestDto,
    @CurrentIdentity() identity: Identity,
  ): Promise<CreatedSubscriptionResponseDto> {
    return CreatedSubscriptionResponseDto.created(
      await this.createSubscription.execute(body, identity.subject),
    );
  }

  @Get()
  @ApiOperation({ summary: 'The webhook subscriptions (secrets left out)' })
  @ApiOkResponse({ type: SubscriptionResponseDto, isArray: true })
  async list(): Promise<SubscriptionResponseDto[]> {
    return (await this.subscriptions.list()).map((s) => SubscriptionResponseDto.of(s));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One webhook subscription (its secret left out)' })
  @ApiOkResponse({ type: SubscriptionResponseDto })
  @ApiNotFoundResponse({ description: 'No such subscription.' })
  async get(@Param('id', uuid) id: string): Promise<SubscriptionResponseDto> {
    return SubscriptionResponseDto.of(await this.subscriptions.get(id));
  }

  @Delete(':id')
  @ApiOperation({
    summary: 'Unsubscribe: nothing more is delivered; queued deliveries and dead letters go too',
  })
  @ApiOkResponse({ type: SubscriptionResponseDto })
  @ApiNotFoundResponse({ description: 'No such subscription.' })
  async delete(@Param('id', uuid) id: string): Promise<SubscriptionResponseDto> {
    return SubscriptionResponseDto.of(await this.subscriptions.delete(id));
  }

  @Get(':id/dead-letters')
  @ApiOperation({
    summary: "A subscription's dead letters",
    description: 'Events that were not accepted after every attempt, newest first (at most 500).',
  })
  @ApiOkResponse({ type: DeadLetterResponseDto, isArray: true })
  @ApiNotFoundResponse({ description: 'No such subscription.' })
  async deadLetters(@Param('id', uuid) id: string): Promise<DeadLetterResponseDto[]> {
    return (await this.subscriptions.deadLetters(id)).map((d) => DeadLetterResponseDto.of(d));
  }

  @Post(':id/redeliver')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Deliver dead letters again',
    description:
      'All of them, or those named by deliveryIds: back in the queue with fresh attempts, due now.',
  })
  @ApiOkResponse({ type: RedeliveredResponseDto })
  @ApiNotFoundResponse({ description: 'No such subscription.' })
  async redeliver(
    @Param('id', uuid) id: string,
    @Body() body: RedeliverRequestDto,
  ): Promise<RedeliveredResponseDto> {
    return { redelivered: await this.redeliverDeadLetters.execute(id, body.deliveryIds) };
  }
}
