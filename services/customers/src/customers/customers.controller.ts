import { Body, Controller, Get, Param, Put, Query, Res } from '@nestjs/common';
import { CurrentIdentity, territoryOf, type Identity } from '@duemap/auth';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { customerFor, customerPageFor } from '../masking/personal-data.masker';
import type { CustomerView } from './customer-record';
import { CustomerPageResponseDto, CustomerResponseDto } from './dtos/customer.response.dto';
import { ListCustomersRequestDto } from './dtos/list-customers.request.dto';
import { toUpsertInput, UpsertCustomerRequestDto } from './dtos/upsert-customer.request.dto';
import { GetCustomerUseCase } from './usecases/get-customer.usecase';
import { ListCustomersUseCase, type CustomerPage } from './usecases/list-customers.usecase';
import { parseSourceRef, UpsertCustomerUseCase } from './usecases/upsert-customer.usecase';

const DEFAULT_PAGE_SIZE = 50;

@ApiTags('customers')
@Controller('api/v1/customers')
export class CustomersController {
  constructor(
    private readonly upsertCustomer: UpsertCustomerUseCase,
    private readonly getCustomer: GetCustomerUseCase,
    private readonly listCustomers: ListCustomersUseCase,
  ) {}

  @Put(':sourceSystem/:externalId')
  @ApiOperation({
    summary: 'Create or update the customer of a source-system record',
    description:
      'Idempotent by (sourceSystem, externalId). A new source record whose taxId matches a customer joins it. ' +
      'Fields left out keep their value, null clears them. Emits customers.customer-upserted.v1 ' +
      '(and customers.address-changed.v1) when something changed.',
  })
  @ApiResponse({ status: 201, type: CustomerResponseDto, description: 'A new customer was created.' })
  @ApiResponse({
    status: 200,
    type: CustomerResponseDto,
    description: 'Updated, joined by tax id, or unchanged.',
  })
  @ApiResponse({ status: 400, description: 'Invalid body or path (details name the fields).' })
  @ApiResponse({ status: 409, description: 'TAX_ID_CONFLICT: the tax id belongs to another customer.' })
  @ApiResponse({ status: 422, description: 'Malformed creditLimit amount or currency.' })
  async upsert(
    @Param('sourceSystem') sourceSystem: string,
    @Param('externalId') externalId: string,
    @Body() body: UpsertCustomerRequestDto,
    @Res({ passthrough: true }) res: Response,
    @CurrentIdentity() identity: Identity,
  ): Promise<CustomerView> {
    const ref = parseSourceRef(sourceSystem, externalId);
    const result = await this.upsertCustomer.execute(ref, toUpsertInput(body));
    res.status(result.created ? 201 : 200);
    // An ERP key (integration) wrote these fields, but reading them back is reading personal data.
    return customerFor(identity, result.customer);
  }

  @Get('by-source/:sourceSystem/:externalId')
  @ApiOperation({ summary: 'The customer a source-system record maps to' })
  @ApiOkResponse({ type: CustomerResponseDto })
  @ApiResponse({ status: 404, description: 'CUSTOMER_NOT_FOUND' })
  async bySource(
    @Param('sourceSystem') sourceSystem: string,
    @Param('externalId') externalId: string,
    @CurrentIdentity() identity: Identity,
  ): Promise<CustomerView> {
    const ref = parseSourceRef(sourceSystem, externalId);
    return customerFor(identity, await this.getCustomer.bySource(ref, territoryOf(identity)));
  }

  @Get(':id')
  @ApiOperation({ summary: 'A customer with its balance, AR status and location' })
  @ApiOkResponse({ type: CustomerResponseDto })
  @ApiResponse({ status: 404, description: 'CUSTOMER_NOT_FOUND (also for ids that are not UUIDs)' })
  async get(@Param('id') id: string, @CurrentIdentity() identity: Identity): Promise<CustomerView> {
    return customerFor(identity, await this.getCustomer.byId(id, territoryOf(identity)));
  }

  @Get()
  @ApiOperation({
    summary: 'Customers by status, location state, region or search text, ordered by name (keyset pages)',
  })
  @ApiOkResponse({ type: CustomerPageResponseDto })
  async list(
    @Query() query: ListCustomersRequestDto,
    @CurrentIdentity() identity: Identity,
  ): Promise<CustomerPage> {
    const page = await this.listCustomers.execute({
      statuses: query.status,
      locationStates: query.location,
      q: query.q,
      region: query.region,
      limit: query.limit ?? DEFAULT_PAGE_SIZE,
      cursor: query.cursor,
      territory: territoryOf(identity),
    });
    return customerPageFor(identity, page);
  }
}
