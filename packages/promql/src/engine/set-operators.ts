/**
 * The set operators `and`, `or` and `unless` between two instant vectors (always many-to-many).
 */
import type { VectorMatching } from '../parser/ast.ts';
import { checkDeadline, type EvalContext, type EvalLimits, STEP_BLOCK } from './context.ts';
import { SeriesCollector } from './series-collector.ts';
import type { StepSeries } from './step-values.ts';
import { ordinals, signatures } from './vector-matching.ts';

/** Which signatures a side has at each step, as a signature-major `numSigs × numSteps` mask. */
function signatureMask(
  limits: EvalLimits,
  series: readonly StepSeries[],
  sigs: Int32Array,
  numSigs: number,
  numSteps: number,
): Uint8Array {
  const mask = new Uint8Array(numSigs * numSteps);
  for (let j = 0; j < series.length; j++) {
    const present = series[j]!.present;
    const base = sigs[j]! * numSteps;
    for (let from = 0; from < numSteps; from += STEP_BLOCK) {
      const to = Math.min(numSteps, from + STEP_BLOCK);
      checkDeadline(limits, to - from);
      for (let i = from; i < to; i++) {
        if (present[i] === 1) mask[base + i] = 1;
      }
    }
  }
  return mask;
}

/**
 * Copies the steps of `s` where `mask[base + step]` equals `want` (or every step without a mask) into
 * the output series of its labels.
 */
function emit(
  limits: EvalLimits,
  out: SeriesCollector,
  s: StepSeries,
  mask: Uint8Array | undefined,
  base: number,
  want: number,
): void {
  let slot: StepSeries | undefined;
  const histograms = s.histograms;
  for (let from = 0; from < s.present.length; from += STEP_BLOCK) {
    const to = Math.min(s.present.length, from + STEP_BLOCK);
    checkDeadline(limits, to - from);
    for (let i = from; i < to; i++) {
      if (s.present[i] === 0 || (mask !== undefined && mask[base + i] !== want)) continue;
      slot ??= out.slot(s.labels, s.dropName);
      SeriesCollector.put(slot, i, s.values[i]!, histograms?.[i]);
    }
  }
}

/**
 * `and`, `or` and `unless`, step by step as Prometheus defines them. Both sides are walked series by
 * series against per-signature presence masks: measured ~5x faster on 10k series than visiting every
 * series at every step, whose per-series arrays then thrash the cache.
 */
export function setBinary(
  ctx: EvalContext,
  op: 'and' | 'or' | 'unless',
  lhs: readonly StepSeries[],
  rhs: readonly StepSeries[],
  matching: VectorMatching,
): StepSeries[] {
  const n = ctx.numSteps;
  const limits = ctx.limits;
  const [lsig, rsig, numSigs] = ordinals(
    signatures(limits, lhs, matching),
    signatures(limits, rhs, matching),
  );
  const out = new SeriesCollector(n);
  if (op === 'or') {
    const left = signatureMask(limits, lhs, lsig, numSigs, n);
    for (const s of lhs) emit(limits, out, s, undefined, 0, 1);
    for (let j = 0; j < rhs.length; j++) emit(limits, out, rhs[j]!, left, rsig[j]! * n, 0);
  } else {
    const right = signatureMask(limits, rhs, rsig, numSigs, n);
    const want = op === 'and' ? 1 : 0;
    for (let j = 0; j < lhs.length; j++) emit(limits, out, lhs[j]!, right, lsig[j]! * n, want);
  }
  return out.series();
}
