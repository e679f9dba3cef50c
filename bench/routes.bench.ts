/**
 * The route solver on its own (services/geocoding/src/routes/solver): 200 stops, as
 * POST /api/v1/map/routes plans at most, in shapes a collector meets — uniform over a city,
 * clustered in towns across a province — open, back to the start, with overdue weighting and with
 * time windows. Prints wall and CPU time per plan (p50 / max over the runs) and the distance
 * against plain nearest-neighbour; exits 1 when a plan's p50 wall time is over the 1 s floor.
 *
 *   npm run bench:routes
 *   BENCH_ROUTES_RUNS=20 npm run bench:routes
 */
import { performance } from 'node:perf_hooks';
import { haversineKm, type LatLng } from '../services/geocoding/src/routes/solver/geo';
import {
  mulberry32,
  solveRoute,
  type RouteProblem,
  type RouteStopInput,
} from '../services/geocoding/src/routes/solver/route-solver';

const RUNS = Number(process.env.BENCH_ROUTES_RUNS ?? 10);
const STOPS = 200;
const FLOOR_MS = 1000;
const START: LatLng = { lat: 23.1291, lng: 113.2644 };

function uniform(seed: number): RouteStopInput[] {
  const random = mulberry32(seed);
  return Array.from({ length: STOPS }, () => ({
    lat: START.lat + (random() - 0.5) * 0.5,
    lng: START.lng + (random() - 0.5) * 0.5,
  }));
}

function towns(seed: number): RouteStopInput[] {
  const random = mulberry32(seed);
  const centres = Array.from({ length: 8 }, () => ({
    lat: START.lat + (random() - 0.5) * 3,
    lng: START.lng + (random() - 0.5) * 3,
  }));
  return Array.from({ length: STOPS }, (_, i) => {
    const c = centres[i % centres.length] as LatLng;
    return { lat: c.lat + (random() - 0.5) * 0.1, lng: c.lng + (random() - 0.5) * 0.1 };
  });
}

function nearestNeighbourKm(problem: RouteProblem): number {
  const left = new Set(problem.stops.map((_, i) => i));
  let at: LatLng = problem.start;
  let km = 0;
  while (left.size > 0) {
    let best = -1;
    let nearest = Infinity;
    for (const i of left) {
      const d = haversineKm(at, problem.stops[i] as LatLng);
      if (d < nearest) [nearest, best] = [d, i];
    }
    left.delete(best);
    km += nearest;
    at = problem.stops[best] as LatLng;
  }
  return km + (problem.end === 'start' ? haversineKm(at, problem.start) : 0);
}

const SCENARIOS: { name: string; problem: (seed: number) => RouteProblem }[] = [
  { name: 'uniform, open', problem: (s) => ({ start: START, end: 'open', stops: uniform(s) }) },
  { name: 'uniform, back to start', problem: (s) => ({ start: START, end: 'start', stops: uniform(s) }) },
  { name: 'towns, open', problem: (s) => ({ start: START, end: 'open', stops: towns(s) }) },
  {
    name: 'uniform, overdue weighting',
    problem: (s) => {
      const random = mulberry32(s + 1);
      const raw = uniform(s).map((p) => ({ ...p, weight: random() ** 3 }));
      const total = raw.reduce((sum, p) => sum + p.weight, 0);
      return {
        start: START,
        end: 'open',
        stops: raw.map((p) => ({ ...p, weight: p.weight / total })),
        weightEmphasis: 1,
      };
    },
  },
  {
    name: 'uniform, 10 time windows',
    problem: (s) => ({
      start: START,
      end: 'open',
      schedule: { departureMinute: 8 * 60, speedKmh: 30, serviceMinutes: 5 },
      stops: uniform(s).map((p, i) =>
        i % 20 === 0 ? { ...p, window: { earliestMinute: 8 * 60, latestMinute: 13 * 60 } } : p,
      ),
    }),
  },
];

const pct = (xs: number[], p: number): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
};

let failed = false;
console.log(`route solver, ${STOPS} stops, ${RUNS} runs per scenario (node ${process.version})`);
console.log('scenario                     | wall p50 | wall max | cpu p50 | km vs NN | kicks | late min');
for (const scenario of SCENARIOS) {
  const wall: number[] = [];
  const cpu: number[] = [];
  const ratio: number[] = [];
  let kicks = 0;
  let late = 0;
  for (let run = 0; run < RUNS; run++) {
    const problem = scenario.problem(1000 + run);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const solution = solveRoute(problem);
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    ratio.push(solution.distanceKm / nearestNeighbourKm(problem));
    kicks += solution.rounds;
    late += solution.lateMinutes;
    if (new Set(solution.order).size !== STOPS)
      throw new Error(`${scenario.name}: a stop missing or repeated`);
  }
  const p50 = pct(wall, 50);
  if (p50 > FLOOR_MS) failed = true;
  console.log(
    `${scenario.name.padEnd(28)} | ${p50.toFixed(0).padStart(5)} ms | ${Math.max(...wall)
      .toFixed(0)
      .padStart(5)} ms | ${pct(cpu, 50).toFixed(0).padStart(4)} ms | ${(pct(ratio, 50) * 100)
      .toFixed(1)
      .padStart(6)}% | ${(kicks / RUNS).toFixed(0).padStart(5)} | ${(late / RUNS).toFixed(1)}`,
  );
}
console.log(failed ? `FAIL: a scenario's p50 is over ${FLOOR_MS} ms` : `ok: every p50 under ${FLOOR_MS} ms`);
process.exitCode = failed ? 1 : 0;
