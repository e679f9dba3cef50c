import { haversineKm, type LatLng } from './geo';
import { mulberry32, solveRoute, type RouteProblem, type RouteSolution } from './route-solver';

const SHENZHEN: LatLng = { lat: 22.5431, lng: 114.0579 };

function scatter(n: number, seed: number, spreadDeg = 0.3, centre = SHENZHEN): LatLng[] {
  const random = mulberry32(seed);
  return Array.from({ length: n }, () => ({
    lat: centre.lat + (random() - 0.5) * spreadDeg,
    lng: centre.lng + (random() - 0.5) * spreadDeg,
  }));
}

/** Towns of customers: the shape a collector's territory has (dense spots, empty between). */
function clustered(n: number, seed: number): LatLng[] {
  const random = mulberry32(seed);
  const towns = scatter(6, seed + 1, 2);
  return Array.from({ length: n }, (_, i) => {
    const town = towns[i % towns.length] as LatLng;
    return { lat: town.lat + (random() - 0.5) * 0.08, lng: town.lng + (random() - 0.5) * 0.08 };
  });
}

const endPoint = (problem: RouteProblem): LatLng | null =>
  problem.end === 'open' ? null : problem.end === 'start' ? problem.start : problem.end;

/** Independent of the solver: the length of visiting `order` of the problem's stops. */
function lengthOf(problem: RouteProblem, order: readonly number[]): number {
  const points = [problem.start, ...order.map((i) => problem.stops[i] as LatLng)];
  const end = endPoint(problem);
  if (end) points.push(end);
  let km = 0;
  for (let k = 1; k < points.length; k++) km += haversineKm(points[k - 1] as LatLng, points[k] as LatLng);
  return km;
}

/** The shortest path over every order (depth-first, pruned by the best so far): n <= 8. */
function optimum(problem: RouteProblem): number {
  const n = problem.stops.length;
  const end = endPoint(problem);
  const used = new Array<boolean>(n).fill(false);
  let best = Infinity;
  const visit = (at: LatLng, depth: number, km: number): void => {
    if (km >= best) return;
    if (depth === n) {
      best = Math.min(best, km + (end ? haversineKm(at, end) : 0));
      return;
    }
    for (let i = 0; i < n; i++) {
      if (used[i]) continue;
      used[i] = true;
      const stop = problem.stops[i] as LatLng;
      visit(stop, depth + 1, km + haversineKm(at, stop));
      used[i] = false;
    }
  };
  visit(problem.start, 0, 0);
  return best;
}

/** Distances between stops 0..n-1, the start (n) and the end (n+1; 0 from all when open). */
function matrixOf(problem: RouteProblem): (i: number, j: number) => number {
  const n = problem.stops.length;
  const end = endPoint(problem);
  const nodes = [...problem.stops, problem.start, end];
  const m = new Float64Array((n + 2) * (n + 2));
  for (let i = 0; i < n + 2; i++) {
    for (let j = 0; j < n + 2; j++) {
      const a = nodes[i] ?? null;
      const b = nodes[j] ?? null;
      m[i * (n + 2) + j] = a === null || b === null ? 0 : haversineKm(a, b);
    }
  }
  return (i, j) => m[i * (n + 2) + j] as number;
}

/**
 * Plain 2-opt, best move of each pass, over an explicit order (written apart from the solver's,
 * as a yardstick); returns the path length.
 */
function twoOptReference(n: number, d: (i: number, j: number) => number, initial: number[]): number {
  const path = [n, ...initial, n + 1];
  for (;;) {
    let best = -1e-9;
    let move: [number, number] | null = null;
    for (let i = 1; i < path.length - 2; i++) {
      for (let j = i + 1; j < path.length - 1; j++) {
        const [a, b, c, e] = [path[i - 1], path[i], path[j], path[j + 1]] as [number, number, number, number];
        const delta = d(a, c) + d(b, e) - d(a, b) - d(c, e);
        if (delta < best) [best, move] = [delta, [i, j]];
      }
    }
    if (!move) break;
    const [i, j] = move;
    path.splice(i, j - i + 1, ...path.slice(i, j + 1).reverse());
  }
  let km = 0;
  for (let k = 1; k < path.length; k++) km += d(path[k - 1] as number, path[k] as number);
  return km;
}

function nearestNeighbourFrom(n: number, d: (i: number, j: number) => number, from: number): number[] {
  const left = new Set(Array.from({ length: n }, (_, i) => i));
  const order: number[] = [];
  let at = from;
  while (left.size > 0) {
    let next = -1;
    let nearest = Infinity;
    for (const i of left) if (d(at, i) < nearest) [nearest, next] = [d(at, i), i];
    left.delete(next);
    order.push(next);
    at = next;
  }
  return order;
}

/** Best of: NN from the start + 2-opt, NN from random stops + 2-opt, shuffled orders + 2-opt. */
function bestOfHeuristics(problem: RouteProblem, tries: number, seed: number): number {
  const n = problem.stops.length;
  const d = matrixOf(problem);
  const random = mulberry32(seed);
  const results = [twoOptReference(n, d, nearestNeighbourFrom(n, d, n))];
  for (let t = 0; t < tries; t++) {
    results.push(twoOptReference(n, d, nearestNeighbourFrom(n, d, Math.floor(random() * n))));
    const shuffled = Array.from({ length: n }, (_, i) => i).sort(() => random() - 0.5);
    results.push(twoOptReference(n, d, shuffled));
  }
  return Math.min(...results);
}

function expectEachStopOnce(solution: RouteSolution, n: number): void {
  expect(solution.order).toHaveLength(n);
  expect([...solution.order].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
}

describe('solveRoute', () => {
  const ends: RouteProblem['end'][] = ['open', 'start', { lat: 22.7, lng: 113.9 }];

  it.each(ends.map((end) => [typeof end === 'string' ? end : 'a fixed end', end] as const))(
    'is within 10%% of the brute-force optimum on small instances (%s)',
    (_name, end) => {
      for (let seed = 1; seed <= 12; seed++) {
        const n = 3 + (seed % 6); // 3..8 stops
        const problem: RouteProblem = { start: SHENZHEN, end, stops: scatter(n, seed) };
        const solution = solveRoute(problem);
        expectEachStopOnce(solution, n);
        const best = optimum(problem);
        expect(solution.distanceKm).toBeCloseTo(lengthOf(problem, solution.order), 6);
        expect(solution.distanceKm).toBeLessThanOrEqual(best * 1.1 + 1e-9);
      }
    },
  );

  it('plans 200 stops within 10% of the best of several heuristics, each stop once', () => {
    for (const stops of [scatter(200, 42), clustered(200, 7)]) {
      for (const end of ['open', 'start'] as const) {
        const problem: RouteProblem = { start: SHENZHEN, end, stops };
        const solution = solveRoute(problem);
        expectEachStopOnce(solution, 200);
        const reference = bestOfHeuristics(problem, 3, 99);
        expect(solution.distanceKm).toBeLessThanOrEqual(reference * 1.1);
        expect(solution.distanceKm).toBeCloseTo(lengthOf(problem, solution.order), 6);
        expect(solution.legsKm.reduce((s, x) => s + x, 0) + solution.finishKm).toBeCloseTo(
          solution.distanceKm,
          6,
        );
      }
    }
  });

  it('handles no stop and one stop', () => {
    expect(solveRoute({ start: SHENZHEN, end: 'open', stops: [] })).toMatchObject({
      order: [],
      distanceKm: 0,
    });
    const one = solveRoute({ start: SHENZHEN, end: 'start', stops: [{ lat: 22.6, lng: 114.1 }] });
    expect(one.order).toEqual([0]);
    expect(one.distanceKm).toBeCloseTo(2 * (one.legsKm[0] as number), 9);
  });

  it('is reproducible: the same problem gives the same order', () => {
    // A budget no machine reaches: the number of kicks, not the clock, ends the search.
    const problem: RouteProblem = {
      start: SHENZHEN,
      end: 'open',
      stops: scatter(60, 3),
      timeBudgetMs: 600_000,
    };
    expect(solveRoute(problem).order).toEqual(solveRoute(problem).order);
  });

  it('with overdue weighting reaches the heavy debtor earlier, for a little more distance', () => {
    // A line of small debtors going east, and one large one a little further west.
    const stops = [
      ...Array.from({ length: 10 }, (_, i) => ({
        lat: SHENZHEN.lat,
        lng: SHENZHEN.lng + 0.01 * (i + 1),
        weight: 0.01,
      })),
      { lat: SHENZHEN.lat, lng: SHENZHEN.lng - 0.15, weight: 0.9 },
    ];
    const plain = solveRoute({ start: SHENZHEN, end: 'open', stops });
    const weighted = solveRoute({ start: SHENZHEN, end: 'open', stops, weightEmphasis: 1 });
    expectEachStopOnce(weighted, stops.length);
    expect(plain.order.indexOf(10)).toBe(10);
    expect(weighted.order.indexOf(10)).toBe(0);
    expect(weighted.distanceKm).toBeGreaterThan(plain.distanceKm);
    expect(weighted.algorithm).toContain('overdue weighting');
  });

  it('keeps time windows the shortest route would break, and reports those it cannot keep', () => {
    // East then west is shortest from the start; the far-west stop closes early.
    const stops = [
      { lat: SHENZHEN.lat, lng: SHENZHEN.lng + 0.05 },
      { lat: SHENZHEN.lat, lng: SHENZHEN.lng + 0.1 },
      {
        lat: SHENZHEN.lat,
        lng: SHENZHEN.lng - 0.2,
        window: { earliestMinute: 0, latestMinute: 9 * 60 + 45 },
      },
    ];
    const schedule = { departureMinute: 9 * 60, speedKmh: 30, serviceMinutes: 15 };
    const plain = solveRoute({ start: SHENZHEN, end: 'open', stops });
    expect(plain.order).toEqual([0, 1, 2]);
    const timed = solveRoute({ start: SHENZHEN, end: 'open', stops, schedule });
    expect(timed.order[0]).toBe(2);
    expect(timed.lateMinutes).toBe(0);
    expect(timed.timings?.[0]?.arrivalMinute).toBeLessThanOrEqual(9 * 60 + 45);

    const impossible = solveRoute({
      start: SHENZHEN,
      end: 'open',
      stops: [{ ...stops[0], window: { earliestMinute: 0, latestMinute: 9 * 60 } } as (typeof stops)[number]],
      schedule,
    });
    expect(impossible.lateMinutes).toBeGreaterThan(0);
    expect(impossible.timings?.[0]?.lateMinutes).toBeCloseTo(impossible.lateMinutes, 9);
  });

  it('waits for a window to open', () => {
    const solution = solveRoute({
      start: SHENZHEN,
      end: 'open',
      stops: [
        { lat: SHENZHEN.lat, lng: SHENZHEN.lng + 0.01, window: { earliestMinute: 600, latestMinute: 700 } },
      ],
      schedule: { departureMinute: 480, speedKmh: 30, serviceMinutes: 15 },
    });
    expect(solution.timings?.[0]).toMatchObject({ lateMinutes: 0 });
    expect(solution.timings?.[0]?.waitMinutes).toBeGreaterThan(100);
  });
});
