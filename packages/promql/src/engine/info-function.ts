/**
 * `info(v, {selector})` (experimental in Prometheus 3): enriches each series with the data labels of
 * its info metrics (`target_info` by default), joined on the identifying labels `instance` and `job`.
 * For OTel data this is how resource attributes on `target_info` reach a query result.
 */
import type { Expr, VectorSelector } from '../parser/ast.ts';
import { type CompiledMatcher, compileMatcher } from '../storage/label-matcher.ts';
import type { LabelMatcher, Labels } from '../storage/queryable.ts';
import { checkDeadline, type EvalContext, evalError, LABELS_WORK, STEP_BLOCK } from './context.ts';
import { formatLabels, labelsKey, METRIC_NAME } from './labels.ts';
import { atTime, evalVectorSelector } from './selectors.ts';
import { SeriesCollector } from './series-collector.ts';
import { hasHistograms, type StepSeries } from './step-values.ts';

const targetInfo = 'target_info';
const identifyingLabels = ['instance', 'job'] as const;

/** The `@` time and total offset of the first selector in `expr`, as Prometheus picks them for `info`. */
function selectorTiming(ctx: EvalContext, expr: Expr): { at: number | undefined; offset: number } {
  const subqueries: Extract<Expr, { type: 'subquery' }>[] = [];
  const visit = (e: Expr): VectorSelector | undefined => {
    switch (e.type) {
      case 'vectorSelector':
        return e;
      case 'matrixSelector':
        return e.vector;
      case 'subquery': {
        subqueries.push(e);
        const found = visit(e.expr);
        if (found === undefined) subqueries.pop();
        return found;
      }
      case 'paren':
      case 'unary':
        return visit(e.expr);
      case 'call':
        for (const a of e.args) {
          const found = visit(a);
          if (found !== undefined) return found;
        }
        return undefined;
      case 'aggregate':
        return visit(e.expr) ?? (e.param === undefined ? undefined : visit(e.param));
      case 'binary':
        return visit(e.lhs) ?? visit(e.rhs);
      default:
        return undefined;
    }
  };
  const selector = visit(expr);
  if (selector === undefined) return { at: undefined, offset: 0 };
  let at = atTime(ctx, selector.at);
  let offset = selector.offsetMs;
  for (let i = subqueries.length - 1; at === undefined && i >= 0; i--) {
    offset += subqueries[i]!.offsetMs;
    at = atTime(ctx, subqueries[i]!.at);
  }
  return { at, offset };
}

/** Prometheus's default name matchers: `target_info`, or `.+_info` when only negative ones were given. */
function effectiveNameMatchers(matchers: LabelMatcher[]): LabelMatcher[] {
  if (matchers.some((m) => m.type === '=' || m.type === '=~')) return matchers;
  if (matchers.length > 0) return [{ type: '=~', name: METRIC_NAME, value: '.+_info' }, ...matchers];
  return [{ type: '=', name: METRIC_NAME, value: targetInfo }];
}

function quoteMeta(value: string): string {
  return value.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

function joinSignature(name: string, labels: Labels): string {
  let sig = name;
  for (const l of identifyingLabels) sig += `\xff${labels[l] ?? ''}`;
  return sig;
}

/** Evaluates `info(base, selector?)` over every step. */
export function evalInfo(
  ctx: EvalContext,
  baseExpr: Expr,
  selector: VectorSelector | undefined,
  base: StepSeries[],
): StepSeries[] {
  const timing = selectorTiming(ctx, baseExpr);
  const dataMatchers = new Map<string, LabelMatcher[]>();
  const nameMatchers: LabelMatcher[] = [];
  for (const m of selector?.matchers ?? []) {
    if (m.name === METRIC_NAME) nameMatchers.push(m);
    else dataMatchers.set(m.name, [...(dataMatchers.get(m.name) ?? []), m]);
  }
  const nameFilter = effectiveNameMatchers(
    selector === undefined ? [{ type: '=', name: METRIC_NAME, value: targetInfo }] : nameMatchers,
  ).map(compileMatcher);
  // Base series that are themselves info metrics pass through unchanged.
  const ignored = base.map((s) => nameFilter.every((m) => m.matches(s.labels[METRIC_NAME] ?? '')));

  const idValues = new Map<string, Set<string>>();
  base.forEach((s, i) => {
    if (ignored[i]) return;
    for (const l of identifyingLabels) {
      const v = s.labels[l];
      if (v === undefined || v === '') continue;
      if (!idValues.has(l)) idValues.set(l, new Set());
      idValues.get(l)!.add(v);
    }
  });
  let info: StepSeries[] = [];
  if (idValues.size > 0) {
    const matchers: LabelMatcher[] = [];
    for (const [name, values] of idValues) {
      matchers.push({ type: '=~', name, value: [...values].map(quoteMeta).join('|') });
    }
    for (const ms of dataMatchers.values()) matchers.push(...ms);
    matchers.push(...effectiveNameMatchers(nameMatchers));
    const refs = new Float64Array(ctx.numSteps);
    for (let from = 0; from < ctx.numSteps; from += STEP_BLOCK) {
      const to = Math.min(ctx.numSteps, from + STEP_BLOCK);
      checkDeadline(ctx.limits, to - from);
      for (let i = from; i < to; i++) {
        refs[i] = (timing.at ?? ctx.start + i * ctx.interval) - timing.offset;
      }
    }
    const infoSelector: VectorSelector = {
      type: 'vectorSelector',
      name: undefined,
      matchers,
      offsetMs: timing.offset,
      at: undefined,
      pos: { start: 0, end: 0 },
    };
    // The value at each step is the selected sample's own timestamp: the newest info sample wins a tie.
    info = evalVectorSelector(ctx, infoSelector, refs, true);
    // Read as times above, histogram samples would pass for floats; Prometheus refuses them.
    if (info.length > 0 && hasHistograms(evalVectorSelector(ctx, infoSelector, refs))) {
      throw evalError('info sample should be float');
    }
  }
  const dataFilters = new Map<string, CompiledMatcher[]>(
    [...dataMatchers].map(([name, ms]) => [name, ms.map(compileMatcher)]),
  );
  const allMatchEmpty = [...dataFilters.values()].every((ms) => ms.every((m) => m.matchesEmpty));
  return combine(ctx, base, ignored, info, dataFilters, allMatchEmpty);
}

function combine(
  ctx: EvalContext,
  base: readonly StepSeries[],
  ignored: readonly boolean[],
  info: readonly StepSeries[],
  dataFilters: ReadonlyMap<string, CompiledMatcher[]>,
  allMatchEmpty: boolean,
): StepSeries[] {
  const infoNames = [...new Set(info.map((s) => s.labels[METRIC_NAME] ?? ''))];
  const infoSigs = info.map((s) => joinSignature(s.labels[METRIC_NAME] ?? '', s.labels));
  const baseSigs = base.map((s) => infoNames.map((name) => joinSignature(name, s.labels)));
  const out = new SeriesCollector(ctx.numSteps);
  const bySig = new Map<string, number>();
  const labelCache = new Map<string, Labels>();
  for (let step = 0; step < ctx.numSteps; step++) {
    // Every base series at a step may build a label set.
    checkDeadline(ctx.limits, info.length + base.length * LABELS_WORK);
    bySig.clear();
    info.forEach((s, j) => {
      if (s.present[step] === 0) return;
      const sig = infoSigs[j]!;
      const existing = bySig.get(sig);
      if (existing === undefined) {
        bySig.set(sig, j);
        return;
      }
      const a = info[existing]!.values[step]!;
      const b = s.values[step]!;
      if (a === b) {
        throw evalError(
          `found duplicate series for info metric: existing ${formatLabels(info[existing]!.labels)} @ ${Math.round(a * 1000)}, ` +
            `new ${formatLabels(s.labels)} @ ${Math.round(b * 1000)}`,
        );
      }
      if (b > a) bySig.set(sig, j);
    });
    base.forEach((s, i) => {
      if (s.present[step] === 0) return;
      if (ignored[i]) {
        SeriesCollector.put(out.slot(s.labels, s.dropName), step, s.values[step]!, s.histograms?.[step]);
        return;
      }
      const added: Record<string, string> = {};
      let seen = 0;
      for (const sig of baseSigs[i]!) {
        const j = bySig.get(sig);
        if (j === undefined) continue;
        seen++;
        const infoLabels = info[j]!.labels;
        for (const name of Object.keys(infoLabels).sort()) {
          if (name === METRIC_NAME) continue;
          if (dataFilters.size > 0 && !dataFilters.has(name)) continue;
          const value = infoLabels[name]!;
          if (added[name] !== undefined && added[name] !== value)
            throw evalError(`conflicting label: ${name}`);
          if (s.labels[name] !== undefined) continue;
          added[name] = value;
        }
      }
      if (seen === 0 && !allMatchEmpty) return;
      const labels = seen === 0 ? s.labels : { ...s.labels, ...added };
      // Equal label sets share one object so the collector's identity lookup stays cheap.
      const key = labelsKey(labels);
      let shared = labelCache.get(key);
      if (shared === undefined) {
        shared = labels;
        labelCache.set(key, shared);
      }
      SeriesCollector.put(out.slot(shared, s.dropName), step, s.values[step]!, s.histograms?.[step]);
    });
  }
  return out.series();
}
