import { haversineKm, type LatLng } from './geo';

/** Minutes since local midnight. */
export interface TimeWindow {
  earliestMinute: number;
  latestMinute: number;
}

export interface RouteStopInput extends LatLng {
  /**
   * How much it matters to reach this stop early (e.g. its share of the overdue amounts); 0 or
   * absent: none. Only used with `weightEmphasis`.
   */
  weight?: number;
  /** Arrive no earlier (the collector waits) and no later (a violation) than this. */
  window?: TimeWindow;
}

export interface RouteSchedule {
  departureMinute: number;
  speedKmh: number;
  serviceMinutes: number;
}

export interface RouteProblem {
  start: LatLng;
  /** 'open': the route ends at its last stop; 'start': it comes back; a point: it finishes there. */
  end: 'open' | 'start' | LatLng;
  stops: readonly RouteStopInput[];
  /**
   * Weighted latency on top of distance: cost = km + emphasis × Σ weight_i × km driven before
   * stop i. With weights that sum to 1 the second term is the weighted mean distance at which the
   * money is reached, so emphasis 1 trades one km of route for one km earlier on average.
   */
  weightEmphasis?: number;
  /** Needed for time windows: arrival times come from it. */
  schedule?: RouteSchedule;
  /** Iterated local search rounds after the first local optimum (default 30). */
  rounds?: number;
  /** The solver stops improving once this much time has passed (default 600 ms). */
  timeBudgetMs?: number;
  /** Seed of the kicks, so a plan is reproducible. */
  seed?: number;
}

export interface StopTiming {
  arrivalMinute: number;
  waitMinutes: number;
  lateMinutes: number;
}

export interface RouteSolution {
  /** Indices into `stops`, in visiting order; each exactly once. */
  order: number[];
  /** Distance to each stop of `order` from the previous one (the first: from the start), km. */
  legsKm: number[];
  /** From the last stop to the end (0 for an open route), km. */
  finishKm: number;
  distanceKm: number;
  /** Per stop of `order`, when a schedule was given. */
  timings?: StopTiming[];
  lateMinutes: number;
  /** The objective minimised (km, plus weighting and lateness penalties). */
  cost: number;
  algorithm: string;
  rounds: number;
}

/** Lateness weighs far more than distance: a route that keeps its windows beats a shorter one. */
export const LATE_PENALTY_KM_PER_MINUTE = 100;
const EPS = 1e-9;

/**
 * Visiting order for one collector: nearest-neighbour from the start, improved by 2-opt and Or-opt
 * (segments of 1-3 stops moved, either way round) to a local optimum, then iterated local search:
 * a double-bridge kick of the best tour and local search again, kept when shorter. With weights or
 * time windows a last local search minimises the full cost (evaluated per move, O(n) each) within
 * the time budget. Distances are great-circle km; the end node is a real point, the start again,
 * or (open route) a point at distance 0 from every stop.
 */
export function solveRoute(problem: RouteProblem): RouteSolution {
  const started = performance.now();
  const budget = problem.timeBudgetMs ?? 600;
  const deadline = started + budget;
  const n = problem.stops.length;
  const d = distanceMatrix(problem);
  const random = mulberry32(problem.seed ?? 20261207);
  const full = fullCost(problem, d);
  // The kicks leave time for the full-cost search when there is one.
  const kicksUntil = started + (full.needed ? budget * 0.4 : budget);

  const near = neighbourLists(d);
  let best = localSearch(nearestNeighbour(n, d), d, near);
  let bestKm = pathKm(best, d);
  let rounds = 0;
  const maxRounds = n >= 8 ? (problem.rounds ?? 30) : 0;
  while (rounds < maxRounds && performance.now() < kicksUntil) {
    rounds++;
    const candidate = localSearch(doubleBridge(best, random), d, near);
    const km = pathKm(candidate, d);
    if (km < bestKm - EPS) {
      best = candidate;
      bestKm = km;
    }
  }
  const algorithm = ['nearest-neighbour', '2-opt', 'or-opt', `iterated local search (${rounds} kicks)`];
  if (full.needed) {
    // Windows the shortest tour breaks badly are better mended from "soonest deadline first".
    const deadlines = deadlineFirst(best, problem);
    if (full.cost(deadlines) < full.cost(best)) best = deadlines;
    best = fullCostSearch(best, full.cost, deadline);
    algorithm.push(
      `full-cost relocation and 2-opt (${[
        problem.weightEmphasis ? 'overdue weighting' : '',
        problem.schedule && problem.stops.some((s) => s.window) ? 'time windows' : '',
      ]
        .filter(Boolean)
        .join(', ')})`,
    );
  }
  return describe(problem, best, d, full.cost(best), algorithm.join(' + '), rounds);
}

type Matrix = { size: number; at: (i: number, j: number) => number; raw: Float64Array };

/** Node 0: start; 1..n: stops; n+1: end. */
function distanceMatrix(problem: RouteProblem): Matrix {
  const n = problem.stops.length;
  const size = n + 2;
  const nodes: (LatLng | null)[] = [
    problem.start,
    ...problem.stops,
    problem.end === 'open' ? null : problem.end === 'start' ? problem.start : problem.end,
  ];
  const raw = new Float64Array(size * size);
  for (let i = 0; i < size; i++) {
    for (let j = i + 1; j < size; j++) {
      const a = nodes[i] ?? null;
      const b = nodes[j] ?? null;
      const km = a === null || b === null ? 0 : haversineKm(a, b);
      raw[i * size + j] = km;
      raw[j * size + i] = km;
    }
  }
  return { size, raw, at: (i, j) => raw[i * size + j] as number };
}

function pathKm(seq: Int32Array, d: Matrix): number {
  let km = 0;
  for (let k = 0; k + 1 < seq.length; k++) km += d.at(seq[k] as number, seq[k + 1] as number);
  return km;
}

function nearestNeighbour(n: number, d: Matrix): Int32Array {
  const seq = new Int32Array(n + 2);
  const visited = new Uint8Array(n + 2);
  let current = 0;
  for (let k = 1; k <= n; k++) {
    let next = -1;
    let nearest = Infinity;
    for (let j = 1; j <= n; j++) {
      if (visited[j]) continue;
      const km = d.at(current, j);
      if (km < nearest) {
        nearest = km;
        next = j;
      }
    }
    visited[next] = 1;
    seq[k] = next;
    current = next;
  }
  seq[n + 1] = n + 1;
  return seq;
}

/** Nodes to try as new neighbours of each node: its nearest stops and the start. */
const NEIGHBOURS = 12;

function neighbourLists(d: Matrix): Int32Array[] {
  const end = d.size - 1;
  const lists: Int32Array[] = [];
  for (let i = 0; i < d.size; i++) {
    const others: number[] = [];
    for (let j = 0; j < end; j++) if (j !== i) others.push(j);
    others.sort((x, y) => d.at(i, x) - d.at(i, y));
    lists.push(Int32Array.from(others.slice(0, NEIGHBOURS)));
  }
  return lists;
}

function positions(seq: Int32Array): Int32Array {
  const pos = new Int32Array(seq.length);
  for (let k = 0; k < seq.length; k++) pos[seq[k] as number] = k;
  return pos;
}

/** 2-opt and Or-opt until neither improves: a local optimum of the distance (in place). */
function localSearch(seq: Int32Array, d: Matrix, near: Int32Array[]): Int32Array {
  for (;;) {
    const reversed = twoOpt(seq, d, near);
    const moved = orOpt(seq, d, near);
    if (!moved && !reversed) return seq;
  }
}

/**
 * Reverses segments while that shortens the path (in place); endpoints stay. Tries as new edges
 * those to a near neighbour, and reversing the whole tail (what an open route's end needs).
 */
function twoOpt(seq: Int32Array, d: Matrix, near: Int32Array[]): boolean {
  const last = seq.length - 2;
  let pos = positions(seq);
  let any = false;
  let improved = true;
  while (improved) {
    improved = false;
    for (let i = 1; i < last; i++) {
      const a = seq[i - 1] as number;
      const b = seq[i] as number;
      const ab = d.at(a, b);
      let best = -EPS;
      let bestJ = -1;
      const consider = (j: number) => {
        if (j <= i || j > last) return;
        const c = seq[j] as number;
        const e = seq[j + 1] as number;
        const delta = d.at(a, c) + d.at(b, e) - ab - d.at(c, e);
        if (delta < best) {
          best = delta;
          bestJ = j;
        }
      };
      for (const c of near[a] as Int32Array) consider(pos[c] as number);
      for (const e of near[b] as Int32Array) consider((pos[e] as number) - 1);
      consider(last);
      if (bestJ > 0) {
        reverse(seq, i, bestJ);
        pos = positions(seq);
        improved = true;
        any = true;
      }
    }
  }
  return any;
}

function reverse(seq: Int32Array, i: number, j: number): void {
  for (let lo = i, hi = j; lo < hi; lo++, hi--) {
    const t = seq[lo] as number;
    seq[lo] = seq[hi] as number;
    seq[hi] = t;
  }
}

/**
 * Moves segments of 1-3 stops elsewhere (reversed if shorter) while that shortens the path (in
 * place): next to a near neighbour of either end of the segment, or first, or last.
 */
function orOpt(seq: Int32Array, d: Matrix, near: Int32Array[]): boolean {
  const last = seq.length - 2;
  let pos = positions(seq);
  let any = false;
  let improved = true;
  while (improved) {
    improved = false;
    for (let len = 1; len <= 3; len++) {
      for (let i = 1; i + len - 1 <= last; i++) {
        const prev = seq[i - 1] as number;
        const first = seq[i] as number;
        const tail = seq[i + len - 1] as number;
        const next = seq[i + len] as number;
        const gain = d.at(prev, first) + d.at(tail, next) - d.at(prev, next);
        let best = -EPS;
        let bestK = -1;
        let bestReversed = false;
        const consider = (k: number) => {
          if (k < 0 || k > last || (k >= i - 1 && k <= i + len - 1)) return;
          const p = seq[k] as number;
          const q = seq[k + 1] as number;
          const pq = d.at(p, q);
          const forward = d.at(p, first) + d.at(tail, q) - pq - gain;
          const backward = d.at(p, tail) + d.at(first, q) - pq - gain;
          if (forward < best) [best, bestK, bestReversed] = [forward, k, false];
          if (backward < best) [best, bestK, bestReversed] = [backward, k, true];
        };
        for (const end of [first, tail]) {
          for (const c of near[end] as Int32Array) {
            const at = pos[c] as number;
            consider(at - 1);
            consider(at);
          }
        }
        consider(0);
        consider(last);
        if (bestK >= 0) {
          seq.set(relocate(seq, i, len, bestK, bestReversed));
          pos = positions(seq);
          improved = true;
          any = true;
        }
      }
    }
  }
  return any;
}

/** The segment [i, i+len) moved between positions k and k+1 of the original sequence. */
function relocate(seq: Int32Array, i: number, len: number, k: number, reversed: boolean): Int32Array {
  const segment = Array.from(seq.subarray(i, i + len));
  if (reversed) segment.reverse();
  const rest: number[] = [];
  for (let m = 0; m < seq.length; m++) {
    if (m >= i && m < i + len) continue;
    rest.push(seq[m] as number);
    if (m === k) rest.push(...segment);
  }
  return Int32Array.from(rest);
}

/** A double-bridge kick (A B C D → A C B D) of the stops; the endpoints stay. */
function doubleBridge(seq: Int32Array, random: () => number): Int32Array {
  const n = seq.length - 2;
  const cuts = new Set<number>();
  while (cuts.size < 3) cuts.add(2 + Math.floor(random() * (n - 1)));
  const [p1, p2, p3] = [...cuts].sort((x, y) => x - y) as [number, number, number];
  const s = Array.from(seq);
  return Int32Array.from([...s.slice(0, p1), ...s.slice(p2, p3), ...s.slice(p1, p2), ...s.slice(p3)]);
}

interface FullCost {
  needed: boolean;
  cost: (seq: Int32Array) => number;
}

function fullCost(problem: RouteProblem, d: Matrix): FullCost {
  const emphasis = problem.weightEmphasis ?? 0;
  const weights = problem.stops.map((s) => s.weight ?? 0);
  const schedule = problem.schedule;
  const windows = schedule ? problem.stops.map((s) => s.window) : [];
  const hasWindows = windows.some((w) => w !== undefined);
  const needed = (emphasis > 0 && weights.some((w) => w > 0)) || hasWindows;
  const cost = (seq: Int32Array): number => {
    let km = 0;
    let weighted = 0;
    let late = 0;
    let clock = schedule?.departureMinute ?? 0;
    for (let k = 1; k < seq.length; k++) {
      const from = seq[k - 1] as number;
      const to = seq[k] as number;
      const leg = d.at(from, to);
      km += leg;
      if (k === seq.length - 1) break;
      weighted += (weights[to - 1] ?? 0) * km;
      if (hasWindows && schedule) {
        clock += (leg / schedule.speedKmh) * 60;
        const window = windows[to - 1];
        if (window) {
          if (clock < window.earliestMinute) clock = window.earliestMinute;
          if (clock > window.latestMinute) late += clock - window.latestMinute;
        }
        clock += schedule.serviceMinutes;
      }
    }
    return km + emphasis * weighted + LATE_PENALTY_KM_PER_MINUTE * late;
  };
  return { needed, cost };
}

/**
 * The stops with a window first, by latest arrival (then earliest), the others after them in
 * their order in `seq`.
 */
function deadlineFirst(seq: Int32Array, problem: RouteProblem): Int32Array {
  const inner = Array.from(seq.subarray(1, seq.length - 1));
  const windowOf = (node: number) => problem.stops[node - 1]?.window;
  const timed = inner
    .filter((node) => windowOf(node))
    .sort((x, y) => {
      const a = windowOf(x) as TimeWindow;
      const b = windowOf(y) as TimeWindow;
      return a.latestMinute - b.latestMinute || a.earliestMinute - b.earliestMinute;
    });
  const rest = inner.filter((node) => !windowOf(node));
  return Int32Array.from([seq[0] as number, ...timed, ...rest, seq[seq.length - 1] as number]);
}

/** Single-stop relocations and 2-opt reversals judged by the full cost, first improvement. */
function fullCostSearch(seq: Int32Array, cost: (seq: Int32Array) => number, deadline: number): Int32Array {
  let current = seq;
  let currentCost = cost(current);
  const last = current.length - 2;
  let improved = true;
  while (improved && performance.now() < deadline) {
    improved = false;
    for (let i = 1; i <= last && !improved; i++) {
      if (performance.now() >= deadline) break;
      for (let k = 0; k <= last; k++) {
        if (k === i - 1 || k === i) continue;
        const moved = relocate(current, i, 1, k, false);
        const c = cost(moved);
        if (c < currentCost - EPS) {
          current = moved;
          currentCost = c;
          improved = true;
          break;
        }
      }
    }
    for (let i = 1; i < last && !improved; i++) {
      if (performance.now() >= deadline) break;
      for (let j = i + 1; j <= last; j++) {
        reverse(current, i, j);
        const c = cost(current);
        if (c < currentCost - EPS) {
          currentCost = c;
          improved = true;
          break;
        }
        reverse(current, i, j);
      }
    }
  }
  return current;
}

function describe(
  problem: RouteProblem,
  seq: Int32Array,
  d: Matrix,
  cost: number,
  algorithm: string,
  rounds: number,
): RouteSolution {
  const n = problem.stops.length;
  const order: number[] = [];
  const legsKm: number[] = [];
  for (let k = 1; k <= n; k++) {
    order.push((seq[k] as number) - 1);
    legsKm.push(d.at(seq[k - 1] as number, seq[k] as number));
  }
  const finishKm = d.at(seq[n] as number, n + 1);
  const distanceKm = legsKm.reduce((s, x) => s + x, 0) + finishKm;
  const timings = problem.schedule ? scheduleOf(problem, order, legsKm, problem.schedule) : undefined;
  const lateMinutes = timings?.reduce((s, t) => s + t.lateMinutes, 0) ?? 0;
  return {
    order,
    legsKm,
    finishKm,
    distanceKm,
    ...(timings ? { timings } : {}),
    lateMinutes,
    cost,
    algorithm,
    rounds,
  };
}

function scheduleOf(
  problem: RouteProblem,
  order: number[],
  legsKm: number[],
  schedule: RouteSchedule,
): StopTiming[] {
  let clock = schedule.departureMinute;
  return order.map((stop, k) => {
    clock += ((legsKm[k] ?? 0) / schedule.speedKmh) * 60;
    const window = problem.stops[stop]?.window;
    const arrivalMinute = clock;
    const waitMinutes = window && clock < window.earliestMinute ? window.earliestMinute - clock : 0;
    clock += waitMinutes;
    const lateMinutes = window && clock > window.latestMinute ? clock - window.latestMinute : 0;
    clock += schedule.serviceMinutes;
    return { arrivalMinute, waitMinutes, lateMinutes };
  });
}

/** A small seeded PRNG: kicks must be reproducible, Math.random is not. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
