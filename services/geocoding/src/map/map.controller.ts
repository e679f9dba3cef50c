import { Controller, Get, Query } from '@nestjs/common';
import { CurrentIdentity, territoryOf, type Identity } from '@duemap/auth';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { boundaries, type Boundaries } from './boundaries/boundaries';
import { BoundariesResponseDto } from './dtos/boundaries.response.dto';
import { GetBoundariesRequestDto } from './dtos/get-boundaries.request.dto';
import { GetMapCustomersRequestDto } from './dtos/get-map-customers.request.dto';
import { GetRegionRollupsRequestDto } from './dtos/get-region-rollups.request.dto';
import { MapCustomersResponseDto } from './dtos/map-customers.response.dto';
import { RegionRollupsResponseDto } from './dtos/region-rollups.response.dto';
import {
  parseBbox,
  parseMinOverdue,
  parseStatuses,
  parseTerritory,
  parseTiers,
  parseZoom,
  valueOf,
} from './map-query';
import { GetMapCustomersUseCase, type MapCustomers } from './usecases/get-map-customers.usecase';
import { GetRegionRollupsUseCase, type RegionRollups } from './usecases/get-region-rollups.usecase';

@ApiTags('map')
@Controller('api/v1/map')
export class MapController {
  constructor(
    private readonly mapCustomers: GetMapCustomersUseCase,
    private readonly regionRollups: GetRegionRollupsUseCase,
  ) {}

  @Get('customers')
  @ApiOperation({
    summary: 'Customers on the map, coloured by AR status',
    description:
      'GeoJSON FeatureCollection. Without zoom: one Point per located customer with properties ' +
      '{customerId, name, status, color, tier, creditGrade, daysOverdue, outstanding, overdue, balances, ' +
      'precision, source}. With zoom: nearby customers are clustered; cluster features have {cluster: true, ' +
      'clusterId, point_count, counts: {paid, unpaid, overdue}, status, color, outstanding[], overdue[]} ' +
      '(sums per currency). Filters: status, tier, minOverdue (days), territory (sales territory).',
  })
  @ApiOkResponse({
    type: MapCustomersResponseDto,
    description: 'A GeoJSON FeatureCollection of Point features.',
  })
  @ApiBadRequestResponse({
    description:
      'bbox (malformed, out of range, south above north), zoom (not 0-24), status, tier, minOverdue or territory is malformed; the field is named.',
  })
  customers(
    @Query() query: GetMapCustomersRequestDto,
    @CurrentIdentity() identity: Identity,
  ): Promise<MapCustomers> {
    const territory = territoryOf(identity);
    return this.mapCustomers.execute({
      ...(territory ? { territory } : {}),
      ...(query.bbox !== undefined ? { bbox: valueOf(parseBbox(query.bbox)) } : {}),
      ...(query.zoom !== undefined ? { zoom: valueOf(parseZoom(query.zoom)) } : {}),
      ...(query.status !== undefined ? { statuses: valueOf(parseStatuses(query.status)) } : {}),
      ...(query.tier !== undefined ? { tiers: valueOf(parseTiers(query.tier)) } : {}),
      ...(query.minOverdue !== undefined
        ? { minOverdueDays: valueOf(parseMinOverdue(query.minOverdue)) }
        : {}),
      ...(query.territory !== undefined ? { salesTerritory: valueOf(parseTerritory(query.territory)) } : {}),
    });
  }

  @Get('regions')
  @ApiOperation({
    summary: 'Roll-ups per country, province/state, city or district',
    description:
      'Count, status mix and outstanding / overdue sums (one entry per currency) of the located customers ' +
      'per region, plus how many customers have no location.',
  })
  @ApiOkResponse({ type: RegionRollupsResponseDto })
  @ApiBadRequestResponse({ description: 'level, country or status is malformed (the field is named).' })
  regions(
    @Query() query: GetRegionRollupsRequestDto,
    @CurrentIdentity() identity: Identity,
  ): Promise<RegionRollups> {
    const territory = territoryOf(identity);
    return this.regionRollups.execute({
      ...(territory ? { territory } : {}),
      level: query.level ?? 'province',
      ...(query.country !== undefined ? { countryCode: query.country.toUpperCase() } : {}),
      ...(query.status !== undefined ? { statuses: valueOf(parseStatuses(query.status)) } : {}),
    });
  }

  @Get('boundaries')
  @ApiOperation({
    summary: 'Region polygons for a choropleth',
    description:
      'GeoJSON polygons shipped with the service (never fetched): world countries (Natural Earth 1:110m) or ' +
      'the provinces or prefecture-level cities of China (level=province|city&region=CN, GCJ-02 source converted ' +
      'to WGS-84). Each feature ' +
      'carries the key GET /api/v1/map/regions gives the same region, so roll-ups colour it. Holds no customer data.',
  })
  @ApiOkResponse({ type: BoundariesResponseDto })
  @ApiBadRequestResponse({ description: 'level or region is not one shipped (the field is named).' })
  boundaries(@Query() query: GetBoundariesRequestDto): Boundaries {
    return boundaries(query.level ?? (query.region ? 'province' : 'country'));
  }
}
