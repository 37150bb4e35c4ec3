/**
 * Which evals the runner skips, and why: evals that call functions Prometheus marks experimental (unless
 * they are enabled), or that need syntax or data behind a Prometheus feature flag. The reasons are
 * deliberately few, so a skip never hides an engine bug.
 */
import { PromqlError } from '../errors.ts';
import type { Expr } from '../parser/ast.ts';
import { EXPERIMENTAL_AGGREGATIONS, FUNCTIONS, getFunction } from '../parser/functions.ts';
import { walkExpr } from '../parser/validate-expr.ts';
import { SampleStore } from '../storage/sample-store.ts';
import type { EvalCommand } from './test-file.ts';

/** Why an eval was not run. */
export type SkipReason = 'experimental function' | 'feature-flagged syntax';

/**
 * Loaded series that carry data the runner does not model (start timestamps), kept as one marker sample
 * each so that the selectors of an eval can ask whether they touch them.
 */
export class MarkedSeries {
  readonly store = new SampleStore();
  empty = true;

  add(labels: Record<string, string>): void {
    this.store.append(labels, 0, 0);
    this.empty = false;
  }

  selectedBy(expr: Expr): boolean {
    if (this.empty) return false;
    let found = false;
    walkExpr(expr, (e) => {
      if (e.type !== 'vectorSelector' || found) return;
      for (const _ of this.store.select(e.matchers, -1, 1)) found = true;
    });
    return found;
  }
}

function usesExperimental(expr: Expr): boolean {
  let found = false;
  walkExpr(expr, (e) => {
    if (e.type === 'call' && getFunction(e.func)?.experimental === true) found = true;
    if (e.type === 'aggregate' && EXPERIMENTAL_AGGREGATIONS.has(e.op)) found = true;
  });
  return found;
}

/** Calls of experimental functions, found in the text when the expression does not parse. */
const experimentalCall = new RegExp(
  `(?<![\\w:])(${[...FUNCTIONS.values()]
    .filter((f) => f.experimental)
    .map((f) => f.name)
    .concat([...EXPERIMENTAL_AGGREGATIONS])
    .join('|')})\\s*\\(`,
);

/**
 * Why `cmd` cannot be run faithfully, or `undefined` when it can. `expr` is its parsed expression, or the
 * error parsing gave; `data` marks the loaded series with start timestamps.
 */
export function skipReason(
  cmd: EvalCommand,
  expr: Expr | PromqlError,
  data: { startTimes: MarkedSeries },
  runExperimental: boolean,
): SkipReason | undefined {
  const experimental = expr instanceof PromqlError ? experimentalCall.test(cmd.expr) : usesExperimental(expr);
  if (!runExperimental && experimental) return 'experimental function';
  if (expr instanceof PromqlError) {
    return expr.code === 'PROMQL_UNSUPPORTED' ? 'feature-flagged syntax' : undefined;
  }
  if (data.startTimes.selectedBy(expr)) return 'feature-flagged syntax';
  return undefined;
}
