/**
 * The recursive evaluator: every node is evaluated over all steps of its context at once, as
 * Prometheus's engine does, so a range query selects each series once and slides over it.
 */

import type { Aggregate, Binary, Expr, VectorMatching } from '../parser/ast.ts';
import { aggregateCountValues, aggregateSimple } from './aggregate.ts';
import { aggregateK, aggregateLimitRatio } from './aggregate-select.ts';
import { scalarBinary, vectorBinary, vectorScalarBinary } from './binary.ts';
import { evalCall } from './calls.ts';
import { checkDeadline, type EvalContext, evalError } from './context.ts';
import { rangeArgument } from './range-call.ts';
import { atTime, evalVectorSelector, referenceTimes, selectWindows } from './selectors.ts';
import { setBinary } from './set-operators.ts';
import type { StepSeries, StepValue } from './step-values.ts';

/** Evaluates `expr` over every step of `ctx`. */
export function evaluate(ctx: EvalContext, expr: Expr): StepValue {
  checkDeadline(ctx.limits);
  switch (expr.type) {
    case 'number':
      return { kind: 'scalar', values: new Float64Array(ctx.numSteps).fill(expr.value) };
    case 'string':
      return { kind: 'string', value: expr.value };
    case 'paren':
      return evaluate(ctx, expr.expr);
    case 'unary':
      return evalUnary(ctx, expr.op, expr.expr);
    case 'vectorSelector': {
      const refs = referenceTimes(ctx, atTime(ctx, expr.at), expr.offsetMs);
      return { kind: 'vector', series: evalVectorSelector(ctx, expr, refs) };
    }
    case 'matrixSelector': {
      const refs = referenceTimes(ctx, atTime(ctx, expr.vector.at), expr.vector.offsetMs);
      return { kind: 'matrix', series: selectWindows(ctx, expr.vector, expr.rangeMs, refs) };
    }
    case 'subquery':
      return { kind: 'matrix', series: rangeArgument(ctx, expr, evaluate).windows };
    case 'call':
      return evalCall(ctx, expr, evaluate);
    case 'aggregate':
      return { kind: 'vector', series: evalAggregate(ctx, expr) };
    case 'binary':
      return evalBinary(ctx, expr);
  }
}

/** The per-step values of a scalar expression. */
function evaluateScalar(ctx: EvalContext, expr: Expr): Float64Array {
  const value = evaluate(ctx, expr);
  if (value.kind !== 'scalar') throw evalError(`expected scalar, got ${value.kind}`);
  return value.values;
}

/** The series of an instant-vector expression. */
function evaluateVector(ctx: EvalContext, expr: Expr): StepSeries[] {
  const value = evaluate(ctx, expr);
  if (value.kind !== 'vector') throw evalError(`expected instant vector, got ${value.kind}`);
  return value.series;
}

function evalUnary(ctx: EvalContext, op: '-' | '+', inner: Expr): StepValue {
  const value = evaluate(ctx, inner);
  if (op === '+') return value;
  if (value.kind === 'scalar') return { kind: 'scalar', values: value.values.map((v) => -v) };
  if (value.kind !== 'vector') throw evalError(`unary minus is not defined on ${value.kind}`);
  for (const s of value.series) {
    s.dropName = true;
    for (let i = 0; i < s.values.length; i++) s.values[i] = -s.values[i]!;
  }
  return value;
}

const defaultMatching: VectorMatching = { card: 'one-to-one', on: false, labels: [], include: [] };
const setMatching: VectorMatching = { card: 'many-to-many', on: false, labels: [], include: [] };

function evalBinary(ctx: EvalContext, node: Binary): StepValue {
  const lhs = evaluate(ctx, node.lhs);
  const rhs = evaluate(ctx, node.rhs);
  const { op } = node;
  if (lhs.kind === 'scalar' && rhs.kind === 'scalar') {
    return { kind: 'scalar', values: scalarBinary(op, lhs.values, rhs.values) };
  }
  if (lhs.kind === 'vector' && rhs.kind === 'scalar') {
    return { kind: 'vector', series: vectorScalarBinary(op, lhs.series, rhs.values, false, node.returnBool) };
  }
  if (lhs.kind === 'scalar' && rhs.kind === 'vector') {
    return { kind: 'vector', series: vectorScalarBinary(op, rhs.series, lhs.values, true, node.returnBool) };
  }
  if (lhs.kind === 'vector' && rhs.kind === 'vector') {
    if (op === 'and' || op === 'or' || op === 'unless') {
      return {
        kind: 'vector',
        series: setBinary(ctx, op, lhs.series, rhs.series, node.matching ?? setMatching),
      };
    }
    const matching = node.matching ?? defaultMatching;
    return {
      kind: 'vector',
      series: vectorBinary(ctx, op, lhs.series, rhs.series, matching, node.returnBool),
    };
  }
  throw evalError(`binary operator "${op}" is not defined between ${lhs.kind} and ${rhs.kind}`);
}

function evalAggregate(ctx: EvalContext, node: Aggregate): StepSeries[] {
  switch (node.op) {
    case 'count_values': {
      if (node.param?.type !== 'string') throw evalError('count_values needs a string parameter');
      return aggregateCountValues(ctx, node, evaluateVector(ctx, node.expr), node.param.value);
    }
    case 'topk':
    case 'bottomk':
    case 'limitk': {
      const k = evaluateScalar(ctx, node.param!);
      return aggregateK(ctx, node, evaluateVector(ctx, node.expr), k);
    }
    case 'limit_ratio': {
      const ratio = evaluateScalar(ctx, node.param!);
      return aggregateLimitRatio(ctx, evaluateVector(ctx, node.expr), ratio);
    }
    case 'quantile': {
      const q = evaluateScalar(ctx, node.param!);
      return aggregateSimple(ctx, node, evaluateVector(ctx, node.expr), q);
    }
    default:
      return aggregateSimple(ctx, node, evaluateVector(ctx, node.expr), undefined);
  }
}
