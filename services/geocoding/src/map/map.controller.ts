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
import { GetMapListRequestDto } from './dtos/get-map-list.request.dto';
import { MapListResponseDto } from './dtos/map-list.response.dto';
import {
  parseBbox,
  parseCurrency,
  parseGrades,
  parseMinOverdue,
  parseRegion,
  parseSources,
  parseStatuses,
  parseTerritory,
  parseTiers,
  parseZoom,
  valueOf,
} from './map-query';
import { GetMapListUseCase, type MapList } from './usecases/get-map-list.usecase';
import {
  GetMapCustomersUseCase,
  type MapCustomers,
  type MapCustomersQuery,
} from './usecases/get-map-customers.usecase';
import { GetRegionRollupsUseCase, type RegionRollups } from './usecases/get-region-rollups.usecase';

@ApiTags('map')
@Controller('api/v1/map')
export class MapController {
  constructor(
    private readonly mapCustomers: GetMapCustomersUseCase,
    private readonly regionRollups: GetRegionRollupsUseCase,
    private readonly mapList: GetMapListUseCase,
  ) {}

  @Get('customers')
  @ApiOperation({
    summary: 'Customers on the map, coloured by AR status',
    description:
      'GeoJSON FeatureCollection. Without zoom: one Point per located customer with properties ' +
      '{customerId, name, status, color, tier, creditGrade, daysOverdue, outstanding, overdue, balances, ' +
      'precision, source}. With zoom: nearby customers are clustered; cluster features have {cluster: true, ' +
      'clusterId, point_count, counts: {paid, unpaid, overdue}, status, color, outstanding[], overdue[]} ' +
      '(sums per currency). Filters: status, tier, minOverdue (days), territory (sales territory), grade ' +
      '(credit grade), region (roll-up key) and source (ERP system).',
  })
  @ApiOkResponse({
    type: MapCustomersResponseDto,
    description: 'A GeoJSON FeatureCollection of Point features.',
  })
  @ApiBadRequestResponse({
    description:
      'bbox (malformed, out of range, south above north), zoom (not 0-24), status, tier, minOverdue, territory, grade, region or source is malformed; the field is named.',
  })
  customers(
    @Query() query: GetMapCustomersRequestDto,
    @CurrentIdentity() identity: Identity,
  ): Promise<MapCustomers> {
    return this.mapCustomers.execute({
      ...filterOf(query, identity),
      ...(query.zoom !== undefined ? { zoom: valueOf(parseZoom(query.zoom)) } : {}),
    });
  }

  @Get('list')
  @ApiOperation({
    summary: 'Customers on the map as a paged list (side list, collector worklist)',
    description:
      'The located customers the filters of GET /api/v1/map/customers keep (bbox, status, tier, minOverdue, ' +
      'territory, grade, region, source), never clustered: each with its position, region, status, days ' +
      'overdue and balances per currency. sort=id pages a view in customer id order; sort=priority ranks ' +
      'by days overdue × overdue amount in `currency`, highest first. Paged with nextCursor.',
  })
  @ApiOkResponse({ type: MapListResponseDto })
  @ApiBadRequestResponse({
    description: 'A filter, sort, currency, limit (1-500) or cursor is malformed; the field is named.',
  })
  list(@Query() query: GetMapListRequestDto, @CurrentIdentity() identity: Identity): Promise<MapList> {
    return this.mapList.execute({
      filter: filterOf(query, identity),
      sort: query.sort ?? 'id',
      currency: query.currency !== undefined ? valueOf(parseCurrency(query.currency)) : 'CNY',
      limit: query.limit ?? 50,
      ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
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

/** The filters GET /map/customers and GET /map/list share, as the pins' filter. */
function filterOf(query: GetMapCustomersRequestDto, identity: Identity): Omit<MapCustomersQuery, 'zoom'> {
  const territory = territoryOf(identity);
  return {
    ...(territory ? { territory } : {}),
    ...(query.bbox !== undefined ? { bbox: valueOf(parseBbox(query.bbox)) } : {}),
    ...(query.status !== undefined ? { statuses: valueOf(parseStatuses(query.status)) } : {}),
    ...(query.tier !== undefined ? { tiers: valueOf(parseTiers(query.tier)) } : {}),
    ...(query.minOverdue !== undefined ? { minOverdueDays: valueOf(parseMinOverdue(query.minOverdue)) } : {}),
    ...(query.territory !== undefined ? { salesTerritory: valueOf(parseTerritory(query.territory)) } : {}),
    ...(query.grade !== undefined ? { grades: valueOf(parseGrades(query.grade)) } : {}),
    ...(query.region !== undefined ? { region: valueOf(parseRegion(query.region)) } : {}),
    ...(query.source !== undefined ? { sources: valueOf(parseSources(query.source)) } : {}),
  };
}
