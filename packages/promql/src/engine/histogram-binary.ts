/**
 * Binary operators on native histogram samples (Prometheus 3.14's `vectorElemBinop`): histogram `+`/`-`
 * histogram, histogram `*` float (either side), histogram `/` float, `==`/`!=` between histograms, and the
 * trim operators histogram `</` float and histogram `>/` float. Any other pairing, and a trim of two floats,
 * is incompatible: the element is dropped, even under `bool`, with an info (as the v3.14 corpus expects).
 */

import type { FloatHistogram } from '../histogram/float-histogram.ts';
import { trimBuckets } from '../histogram/trim-buckets.ts';
import type { BinaryOp } from '../parser/ast.ts';
import type { AnnotationSet } from './annotations.ts';
import {
  infoIncompatibleTypes,
  infoMismatchedCustomBuckets,
  warnCounterResetCollision,
} from './histogram-annotations.ts';

/** The result of one element: a float or a histogram, and whether a comparison keeps it. */
export interface HistogramElementResult {
  readonly value: number;
  readonly histogram: FloatHistogram | undefined;
  readonly keep: boolean;
}

/**
 * `lhs op rhs` where at least one side is a histogram (`hl`/`hr`, with `fl`/`fr` their float values
 * otherwise), or `op` is a trim operator. `annotations` receives the infos and warnings; `undefined` means
 * the element is dropped even under `bool` (incompatible sample types or bucket schemas). Inputs are not
 * changed.
 */
export function histogramElementBinary(
  op: BinaryOp,
  fl: number,
  fr: number,
  hl: FloatHistogram | undefined,
  hr: FloatHistogram | undefined,
  annotations: AnnotationSet,
): HistogramElementResult | undefined {
  const incompatible = (): undefined => {
    const side = (h: FloatHistogram | undefined) => (h === undefined ? 'float' : 'histogram');
    infoIncompatibleTypes(annotations, side(hl), op, side(hr));
    return undefined;
  };
  if (hl === undefined && hr !== undefined) {
    if (op === '*') return { value: 0, histogram: hr.copy().mul(fl).compact(0), keep: true };
    return incompatible();
  }
  if (hl !== undefined && hr === undefined) {
    switch (op) {
      case '*':
        return { value: 0, histogram: hl.copy().mul(fr).compact(0), keep: true };
      case '/':
        return { value: 0, histogram: hl.copy().div(fr).compact(0), keep: true };
      case '</':
      case '>/':
        return { value: 0, histogram: trimBuckets(hl.copy(), fr, op === '</'), keep: true };
      default:
        return incompatible();
    }
  }
  if (hl === undefined || hr === undefined) return incompatible();
  switch (op) {
    case '+':
    case '-': {
      const result = hl.copy();
      const r = op === '+' ? result.add(hr) : result.sub(hr);
      if (!r.ok) {
        annotations.warn(`incompatible bucket layout encountered for binary operator ${op}`);
        return undefined;
      }
      if (op === '-') result.counterResetHint = 'gauge';
      const operation = op === '+' ? 'addition' : 'subtraction';
      if (r.counterResetCollision) warnCounterResetCollision(annotations, operation);
      if (r.nhcbBoundsReconciled) infoMismatchedCustomBuckets(annotations, operation);
      return { value: 0, histogram: result.compact(0), keep: true };
    }
    case '==':
    case '!=': {
      // Equality is on the compact form, as Prometheus compares its (always compacted) histograms.
      const equal = hl.copy().compact(0).equals(hr.copy().compact(0));
      return { value: 0, histogram: hl, keep: op === '==' ? equal : !equal };
    }
    default:
      return incompatible();
  }
}
