import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CurrentIdentity, territoryOf, type Identity } from '@duemap/auth';
import { Money } from '@duemap/money';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Bbox } from '../map/map-query';
import { MAX_ROUTE_STOPS, PlanRouteRequestDto, type RouteFilterDto } from './dtos/plan-route.request.dto';
import { PlannedRouteResponseDto } from './dtos/plan-route.response.dto';
import type { CandidateFilter } from './route-candidates.repository';
import { RouteException } from './route.exception';
import { PlanRouteUseCase, type PlannedRoute, type PlanRouteCommand } from './usecases/plan-route.usecase';

@ApiTags('map')
@Controller('api/v1/map')
export class RoutesController {
  constructor(private readonly planRoute: PlanRouteUseCase) {}

  @Post('routes')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Plan a collection route',
    description:
      'Orders the visits to the customers given by id or by filter (only those with a pin; the others are ' +
      `listed as unlocated with the reason), at most ${MAX_ROUTE_STOPS} stops, from a start point, optionally ` +
      'back to it or to an end point. Distances are great-circle km. Optional weighting by overdue amount and ' +
      'time windows (arrivals, waits and violations reported). A collector only ever gets customers of their ' +
      'territory: ids outside it answer 404 like unknown ones.',
  })
  @ApiBody({ type: PlanRouteRequestDto })
  @ApiOkResponse({ type: PlannedRouteResponseDto })
  @ApiBadRequestResponse({
    description:
      'Too many stops, bad coordinates, no customers asked for, a malformed filter or window (named).',
  })
  @ApiNotFoundResponse({
    description: 'customerIds names customers that do not exist (or not in your territory).',
  })
  plan(@Body() body: PlanRouteRequestDto, @CurrentIdentity() identity: Identity): Promise<PlannedRoute> {
    const territory = territoryOf(identity);
    return this.planRoute.execute({ ...commandOf(body), ...(territory ? { territory } : {}) });
  }
}

function commandOf(body: PlanRouteRequestDto): PlanRouteCommand {
  if (body.customerIds === undefined && body.filter === undefined) {
    throw RouteException.invalid('customerIds', 'customerIds or filter must say which customers to visit');
  }
  if (body.customerIds !== undefined && body.filter !== undefined) {
    throw RouteException.invalid('filter', 'give customerIds or filter, not both');
  }
  if (body.end !== undefined && body.returnToStart === true) {
    throw RouteException.invalid('returnToStart', 'returnToStart cannot be true when an end is given');
  }
  const timeWindows = (body.timeWindows ?? []).map((w, i) => {
    const window = {
      customerId: w.customerId,
      earliestMinute: minuteOf(w.earliest),
      latestMinute: minuteOf(w.latest),
    };
    if (window.earliestMinute > window.latestMinute) {
      throw RouteException.invalid(
        `timeWindows[${i}].latest`,
        `timeWindows[${i}].latest must not be before earliest`,
      );
    }
    return window;
  });
  return {
    start: { lat: body.start.lat, lng: body.start.lng },
    ...(body.end ? { end: { lat: body.end.lat, lng: body.end.lng } } : {}),
    returnToStart: body.returnToStart ?? false,
    ...(body.customerIds ? { customerIds: body.customerIds } : {}),
    ...(body.filter ? { filter: filterOf(body.filter) } : {}),
    limit: body.limit ?? MAX_ROUTE_STOPS,
    weighting: body.weighting ?? 'none',
    timeWindows,
    ...(body.schedule
      ? {
          schedule: {
            departureMinute: minuteOf(body.schedule.departure ?? '09:00'),
            speedKmh: body.schedule.speedKmh ?? 30,
            serviceMinutes: body.schedule.serviceMinutes ?? 15,
          },
        }
      : {}),
  };
}

function filterOf(dto: RouteFilterDto): CandidateFilter {
  const filter: CandidateFilter = {};
  if (dto.status) filter.statuses = [...new Set(dto.status)];
  if (dto.country) filter.countryCode = dto.country.toUpperCase();
  if (dto.region) filter.regionCode = dto.region;
  if (dto.bbox) filter.bbox = bboxOf(dto.bbox);
  if (dto.minOverdue) {
    try {
      const money = Money.of(dto.minOverdue.amount, dto.minOverdue.currency.toUpperCase());
      filter.minOverdue = { currency: money.currency, minor: money.minor };
    } catch (err) {
      throw RouteException.invalid(
        'filter.minOverdue',
        `filter.minOverdue is not an amount: ${(err as Error).message}`,
      );
    }
  }
  return filter;
}

function bboxOf(raw: number[]): Bbox {
  const [minLng, minLat, maxLng, maxLat] = raw as [number, number, number, number];
  if ([minLng, maxLng].some((x) => x < -180 || x > 180)) {
    throw RouteException.invalid('filter.bbox', 'filter.bbox must have longitudes between -180 and 180');
  }
  if ([minLat, maxLat].some((y) => y < -90 || y > 90)) {
    throw RouteException.invalid('filter.bbox', 'filter.bbox must have latitudes between -90 and 90');
  }
  if (minLat > maxLat) throw RouteException.invalid('filter.bbox', 'filter.bbox must have minLat <= maxLat');
  return [minLng, minLat, maxLng, maxLat];
}

function minuteOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
}
