/**
 * Bounded subset-sum: which of a customer's open invoices add up to exactly the payment. Items come
 * in preference order (oldest due first); the search tries fewer invoices before more, and for one
 * size visits combinations in lexicographic order of that preference, so the first hit is the
 * oldest one and the answer is deterministic. It keeps looking for a second combination of the
 * same size, because two different ways to make the amount mean a person must choose.
 */

export interface CombinationLimits {
  /** Most invoices in one combination. */
  maxSize: number;
  /** Search nodes visited at most, over all sizes. */
  maxSteps: number;
}

export interface CombinationSearch {
  /** Indexes into the items, ascending; null when no combination was found. */
  best: number[] | null;
  /** True when another combination of the same size makes the amount too. */
  tie: boolean;
  /** True when the step budget ran out: neither absence nor uniqueness is proven. */
  truncated: boolean;
  steps: number;
}

/**
 * Finds the smallest combination (2..maxSize items; single items are the exact-amount rule's) of
 * positive values summing to target. Values are minor units (bigint: no float ever sums money).
 */
export function findCombination(
  values: readonly bigint[],
  target: bigint,
  limits: CombinationLimits,
): CombinationSearch {
  const n = values.length;
  // suffixMax[i] / suffixMin[i]: largest / smallest value at index >= i, for pruning.
  const suffixMax = new Array<bigint>(n + 1).fill(0n);
  const suffixMin = new Array<bigint>(n + 1).fill(0n);
  for (let i = n - 1; i >= 0; i--) {
    const v = values[i] as bigint;
    const nextMax = suffixMax[i + 1] as bigint;
    const nextMin = suffixMin[i + 1] as bigint;
    suffixMax[i] = i === n - 1 || v > nextMax ? v : nextMax;
    suffixMin[i] = i === n - 1 || v < nextMin ? v : nextMin;
  }
  let steps = 0;
  let truncated = false;

  for (let size = 2; size <= limits.maxSize && size <= n; size++) {
    const found: number[][] = [];
    const chosen: number[] = [];
    const search = (from: number, remaining: bigint, slots: number): void => {
      if (found.length >= 2 || truncated) return;
      if (slots === 0) {
        if (remaining === 0n) found.push([...chosen]);
        return;
      }
      for (let i = from; i <= n - slots; i++) {
        if (++steps > limits.maxSteps) {
          truncated = true;
          return;
        }
        const bound = BigInt(slots);
        // Even the largest (smallest) remaining values cannot reach (must overshoot) the rest.
        if ((suffixMax[i] as bigint) * bound < remaining) return;
        if ((suffixMin[i] as bigint) * bound > remaining) return;
        const v = values[i] as bigint;
        if (v > remaining) continue;
        chosen.push(i);
        search(i + 1, remaining - v, slots - 1);
        chosen.pop();
        if (found.length >= 2 || truncated) return;
      }
    };
    search(0, target, size);
    if (found.length > 0) {
      return { best: found[0] as number[], tie: found.length > 1, truncated, steps };
    }
    if (truncated) break;
  }
  return { best: null, tie: false, truncated, steps };
}
