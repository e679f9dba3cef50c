import { Injectable } from '@nestjs/common';
import type { Territory } from '@duemap/auth';
import { Money, type MoneyJson } from '@duemap/money';
import type { PinStatus } from '../../map/customer-pin.entity';
import type { BalanceMinor } from '../../map/pin.repository';
import type { Weighting } from '../dtos/plan-route.request.dto';
import {
  RouteCandidatesRepository,
  type CandidateFilter,
  type RouteCandidate,
} from '../route-candidates.repository';
import { RouteErrorCode, RouteException } from '../route.exception';
import { haversineKm, type LatLng } from '../solver/geo';
import { solveRoute, type RouteSchedule, type RouteStopInput, type TimeWindow } from '../solver/route-solver';

/** A filter matching more located customers than this is refused: narrow it first. */
export const MAX_FILTER_CANDIDATES = 20_000;
/** Unlocated customers listed at most (a filter may match many). */
export const MAX_UNLOCATED_LISTED = 200;
export const DEFAULT_SCHEDULE: RouteSchedule = { departureMinute: 9 * 60, speedKmh: 30, serviceMinutes: 15 };

export interface PlanRouteCommand {
  start: LatLng;
  end?: LatLng;
  returnToStart: boolean;
  customerIds?: readonly string[];
  filter?: CandidateFilter;
  limit: number;
  weighting: Weighting;
  timeWindows: readonly ({ customerId: string } & TimeWindow)[];
  schedule?: RouteSchedule;
  /** The caller's territory; undefined = all customers. */
  territory?: Territory;
}

export interface PlannedStop {
  sequence: number;
  customerId: string;
  name: string;
  status: PinStatus;
  lat: number;
  lng: number;
  legKm: number;
  cumulativeKm: number;
  expected: MoneyJson[];
  outstanding: MoneyJson[];
  arrival?: string;
  waitMinutes?: number;
  lateMinutes?: number;
  window?: string;
}

export interface PlannedRoute {
  start: LatLng;
  end: LatLng | null;
  stops: PlannedStop[];
  finishKm: number;
  totalKm: number;
  totalExpected: MoneyJson[];
  totalOutstanding: MoneyJson[];
  feasible: boolean;
  violations: { customerId: string; lateMinutes: number }[];
  unlocated: { customerId: string; name: string; reason: string }[];
  leftOut: number;
  algorithm: string;
  computeMs: number;
}

type Located = RouteCandidate & { lat: number; lng: number };

/**
 * Plans one collector's visits: the customers asked for (by id or filter, inside the caller's
 * territory) that have a pin, at most `limit` of them, in the order the solver finds shortest
 * (or, weighted, that reaches the overdue money earliest), with what each visit should collect.
 */
@Injectable()
export class PlanRouteUseCase {
  constructor(private readonly candidates: RouteCandidatesRepository) {}

  async execute(command: PlanRouteCommand): Promise<PlannedRoute> {
    const { located, unlocated } = await this.select(command);
    const kept = keep(located, command);
    const windows = new Map(command.timeWindows.map((w) => [w.customerId, w]));
    const schedule = command.schedule ?? (windows.size > 0 ? DEFAULT_SCHEDULE : undefined);
    const weights = command.weighting === 'overdue' ? overdueShares(kept) : undefined;
    const stops: RouteStopInput[] = kept.map((c, i) => {
      const window = windows.get(c.customerId);
      return {
        lat: c.lat,
        lng: c.lng,
        ...(weights ? { weight: weights[i] } : {}),
        ...(window
          ? { window: { earliestMinute: window.earliestMinute, latestMinute: window.latestMinute } }
          : {}),
      };
    });
    const end = command.returnToStart ? command.start : (command.end ?? null);
    const started = performance.now();
    const solution = solveRoute({
      start: command.start,
      end: command.returnToStart ? 'start' : (command.end ?? 'open'),
      stops,
      ...(weights ? { weightEmphasis: 1 } : {}),
      ...(schedule ? { schedule } : {}),
    });
    const computeMs = round(performance.now() - started, 1);

    let cumulative = 0;
    const planned = solution.order.map((index, k): PlannedStop => {
      const c = kept[index] as Located;
      const legKm = solution.legsKm[k] as number;
      cumulative += legKm;
      const timing = solution.timings?.[k];
      const window = windows.get(c.customerId);
      return {
        sequence: k + 1,
        customerId: c.customerId,
        name: c.name,
        status: c.status,
        lat: c.lat,
        lng: c.lng,
        legKm: round(legKm, 3),
        cumulativeKm: round(cumulative, 3),
        expected: moneyOf(c.balances, 'overdue'),
        outstanding: moneyOf(c.balances, 'outstanding'),
        ...(timing
          ? {
              arrival: clockOf(timing.arrivalMinute),
              waitMinutes: Math.round(timing.waitMinutes),
              // Whole minutes late, never -0 nor a rounding hair above 0.
              lateMinutes: Math.max(0, Math.ceil(timing.lateMinutes - 1e-9)),
            }
          : {}),
        ...(window ? { window: `${clockOf(window.earliestMinute)}-${clockOf(window.latestMinute)}` } : {}),
      };
    });
    const violations = planned
      .filter((s) => (s.lateMinutes ?? 0) > 0)
      .map((s) => ({ customerId: s.customerId, lateMinutes: s.lateMinutes as number }));
    const all = kept.flatMap((c) => c.balances);
    return {
      start: command.start,
      end,
      stops: planned,
      finishKm: round(solution.finishKm, 3),
      totalKm: round(solution.distanceKm, 3),
      totalExpected: moneyOf(all, 'overdue'),
      totalOutstanding: moneyOf(all, 'outstanding'),
      feasible: violations.length === 0,
      violations,
      unlocated: unlocated.map((c) => ({
        customerId: c.customerId,
        name: c.name,
        reason: c.failure ?? (c.geocodeState === null ? 'not_geocoded' : 'not_located'),
      })),
      leftOut: located.length - kept.length,
      algorithm: solution.algorithm,
      computeMs,
    };
  }

  private async select(
    command: PlanRouteCommand,
  ): Promise<{ located: Located[]; unlocated: RouteCandidate[] }> {
    if (command.customerIds) {
      const ids = [...new Set(command.customerIds)];
      const found = await this.candidates.byIds(ids, command.territory);
      const known = new Set(found.map((c) => c.customerId));
      const missing = command.customerIds
        .map((id, i) => ({ id, i }))
        .filter(({ id }) => !known.has(id))
        .map(({ id, i }) => ({
          field: `customerIds[${i}]`,
          message: `customerIds[${i}] ${id} is not a known customer`,
        }));
      if (missing.length > 0) {
        throw new RouteException(
          RouteErrorCode.CustomerNotFound,
          `${missing.length} of customerIds not found`,
          missing,
        );
      }
      return { located: found.filter(isLocated), unlocated: found.filter((c) => !isLocated(c)) };
    }
    const filter = command.filter ?? {};
    const { located, unlocated } = await this.candidates.byFilter(
      filter,
      command.territory,
      MAX_FILTER_CANDIDATES + 1,
      MAX_UNLOCATED_LISTED,
    );
    if (located.length > MAX_FILTER_CANDIDATES) {
      throw RouteException.invalid(
        'filter',
        `filter matches more than ${MAX_FILTER_CANDIDATES} located customers: narrow it (bbox, status, region)`,
      );
    }
    return { located: located.filter(isLocated), unlocated };
  }
}

function isLocated(c: RouteCandidate): c is Located {
  return c.lat !== null && c.lng !== null;
}

/** Past the limit: the most overdue (by share) when weighted, else the nearest to the start. */
function keep(located: Located[], command: PlanRouteCommand): Located[] {
  if (located.length <= command.limit) return located;
  const km = located.map((c) => haversineKm(command.start, c));
  const shares = command.weighting === 'overdue' ? overdueShares(located) : located.map(() => 0);
  return located
    .map((c, i) => ({ c, km: km[i] as number, share: shares[i] as number }))
    .sort((a, b) => b.share - a.share || a.km - b.km || a.c.customerId.localeCompare(b.c.customerId))
    .slice(0, command.limit)
    .map((x) => x.c);
}

/**
 * Each customer's share of the overdue money: per currency its part of that currency's total,
 * averaged over the currencies anyone owes in — so amounts in different currencies are never
 * added or converted, and the shares sum to 1.
 */
export function overdueShares(customers: readonly { balances: readonly BalanceMinor[] }[]): number[] {
  const totals = new Map<string, bigint>();
  for (const c of customers) {
    for (const b of c.balances)
      if (b.overdue > 0n) totals.set(b.currency, (totals.get(b.currency) ?? 0n) + b.overdue);
  }
  if (totals.size === 0) return customers.map(() => 0);
  return customers.map((c) => {
    let share = 0;
    for (const b of c.balances) {
      const total = totals.get(b.currency);
      if (total && b.overdue > 0n) share += Number(b.overdue) / Number(total);
    }
    return share / totals.size;
  });
}

/** Sums per currency (never across), positive amounts only, by currency code. */
function moneyOf(balances: readonly BalanceMinor[], part: 'overdue' | 'outstanding'): MoneyJson[] {
  const sums = new Map<string, bigint>();
  for (const b of balances) if (b[part] > 0n) sums.set(b.currency, (sums.get(b.currency) ?? 0n) + b[part]);
  return [...sums.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, minor]) => Money.fromMinor(minor, currency).toJSON());
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Minutes since midnight as HH:MM (past midnight: 24:10, 25:00 — the same day's clock). */
export function clockOf(minute: number): string {
  const m = Math.round(minute);
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}
