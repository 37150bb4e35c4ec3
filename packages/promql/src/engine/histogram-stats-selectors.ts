/**
 * Which selectors PromQL reads as histogram statistics (Prometheus's `detectHistogramStatsDecoding` and
 * `HistogramStatsIterator`): under `histogram_count`, `histogram_sum` or `histogram_avg`, with no subquery
 * and no function or trim operator that needs the buckets on the way, Prometheus decodes only count and
 * sum and detects counter resets while it reads. Its samples then carry the reset hints the store detected
 * (`counter-reset` too), where other selectors read a `counter-reset` as `unknown`; the hints matter for
 * the annotation about conflicting resets.
 */
import type { Expr, VectorSelector } from '../parser/ast.ts';

const statsFunctions = new Set(['histogram_count', 'histogram_sum', 'histogram_avg']);
const bucketFunctions = new Set(['histogram_quantile', 'histogram_quantiles', 'histogram_fraction']);

/** The vector selectors of `expr` that are read as histogram statistics. */
export function histogramStatsSelectors(expr: Expr): ReadonlySet<VectorSelector> {
  const out = new Set<VectorSelector>();
  // An explicit stack, not recursion: an expression nested too deep for the stack must still reach the
  // evaluator, which reports it as a PromqlError.
  const stack: [Expr, boolean][] = [[expr, false]];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [e, underStats] = item;
    switch (e.type) {
      case 'vectorSelector':
        if (underStats) out.add(e);
        break;
      case 'matrixSelector':
        stack.push([e.vector, underStats]);
        break;
      // A subquery or a bucket function anywhere above a selector makes it read whole histograms.
      case 'subquery':
        break;
      case 'paren':
      case 'unary':
        stack.push([e.expr, underStats]);
        break;
      case 'call':
        if (bucketFunctions.has(e.func)) break;
        for (const arg of e.args) stack.push([arg, underStats || statsFunctions.has(e.func)]);
        break;
      case 'aggregate':
        if (e.param !== undefined) stack.push([e.param, underStats]);
        stack.push([e.expr, underStats]);
        break;
      case 'binary':
        // Trimming needs the buckets, like a bucket function.
        if (e.op === '</' || e.op === '>/') break;
        stack.push([e.lhs, underStats], [e.rhs, underStats]);
        break;
      default:
        break;
    }
  }
  return out;
}
