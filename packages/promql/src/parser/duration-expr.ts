/**
 * Durations inside `[...]`, after `offset` and after `@`: a number of seconds (`90`, `1.5`), a duration
 * (`1h30m`), and arithmetic on them (`[5m + 30s]`, Prometheus's experimental duration expressions). Constant
 * ones are folded here to milliseconds; those with `step()` or `range()` depend on the query and are kept
 * as a {@link QueryDuration} tree, resolved when the query runs.
 */
import type { SyntaxNode } from '@lezer/common';
import { PromqlError } from '../errors.ts';
import { parseDurationMs, parseGoNumber } from './literals.ts';
import { parseError } from './syntax-error.ts';

/**
 * Seconds denoted by a number token that may be a duration (`5m` is 300), as Prometheus 3 reads a
 * number-or-duration literal. `undefined` when the token is neither.
 */
export function numberOrDurationSeconds(token: string): number | undefined {
  const ms = parseDurationMs(token);
  if (ms !== undefined && /[a-z]/.test(token)) return ms / 1000;
  return parseGoNumber(token);
}

/** Seconds to whole milliseconds, rounding as Prometheus's `time.Duration(math.Round(v * 1e9))` does. */
export function secondsToMs(seconds: number): number {
  return Math.round(seconds * 1000);
}

const durationOps: Readonly<Record<string, (a: number, b: number) => number>> = {
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  '/': (a, b) => a / b,
  '%': (a, b) => a % b,
  '^': (a, b) => a ** b,
};

/** A Go `time.Duration` is int64 nanoseconds: 2^63 / 1e9 seconds. */
const maxDurationSeconds = 2 ** 63 / 1e9;

/** An operator of a duration expression. */
export type DurationOp = '+' | '-' | '*' | '/' | '%' | '^';

/**
 * A duration expression that needs the query's step or range (Prometheus's `DurationExpr` with `step()` or
 * `range()` in it), in seconds; `text` is how it was written, for printing it back.
 */
export type QueryDuration = { readonly text: string; readonly node: DurationNode };

/** A node of a {@link QueryDuration}. */
export type DurationNode =
  | { readonly kind: 'seconds'; readonly value: number }
  | { readonly kind: 'step' | 'range' }
  | { readonly kind: 'negate'; readonly operand: DurationNode }
  | { readonly kind: 'min_of' | 'max_of'; readonly lhs: DurationNode; readonly rhs: DurationNode }
  | {
      readonly kind: 'binary';
      readonly op: DurationOp;
      readonly lhs: DurationNode;
      readonly rhs: DurationNode;
    };

const nodeOps: Readonly<Record<string, DurationOp>> = {
  Add: '+',
  Sub: '-',
  Mul: '*',
  Div: '/',
  Mod: '%',
  Pow: '^',
};

/** The tree of a `DurationExpr`, `OffsetDurationExpr` or literal node of lezer's tree. */
function durationNode(text: string, node: SyntaxNode): DurationNode {
  switch (node.name) {
    case 'NumberDurationLiteralInDurationContext':
    case 'NumberDurationLiteral': {
      const token = text.slice(node.from, node.to);
      const value = numberOrDurationSeconds(token);
      if (value === undefined) {
        throw parseError(text, `bad number or duration syntax: "${token}"`, node.from, node.to);
      }
      if (Math.abs(value) > maxDurationSeconds) {
        throw parseError(text, 'duration out of range', node.from, node.to);
      }
      return { kind: 'seconds', value };
    }
    case 'DurationExpr':
    case 'OffsetDurationExpr': {
      const children: SyntaxNode[] = [];
      for (let c = node.firstChild; c !== null; c = c.nextSibling) children.push(c);
      const [first, second, third] = children;
      if (first === undefined)
        throw parseError(text, 'unexpected end of input in duration', node.from, node.to);
      if (first.name === 'DurationStep') return { kind: 'step' };
      if (first.name === 'DurationRange') return { kind: 'range' };
      if (first.name === 'DurationMinOf' || first.name === 'DurationMaxOf') {
        if (second === undefined || third === undefined) {
          throw parseError(text, 'unexpected end of input in duration', node.from, node.to);
        }
        const kind = first.name === 'DurationMinOf' ? 'min_of' : 'max_of';
        return { kind, lhs: durationNode(text, second), rhs: durationNode(text, third) };
      }
      if (first.name === 'UnaryOp' && second !== undefined) {
        const operand = durationNode(text, second);
        return text.slice(first.from, first.to) === '-' ? { kind: 'negate', operand } : operand;
      }
      if (second !== undefined && third !== undefined) {
        const op = nodeOps[second.name];
        if (op === undefined) throw parseError(text, `unexpected ${second.name}`, second.from, second.to);
        const rhs = durationNode(text, third);
        if (!dependsOnQuery(rhs)) {
          const divisor = evaluateDurationNode(rhs, 0, 0);
          if (divisor === 0 && (op === '/' || op === '%')) {
            const what = op === '/' ? 'division by zero' : 'modulo by zero';
            throw parseError(text, what, node.from, node.to);
          }
        }
        return { kind: 'binary', op, lhs: durationNode(text, first), rhs };
      }
      return durationNode(text, first);
    }
    default:
      throw parseError(text, `unexpected ${node.name} in duration`, node.from, node.to);
  }
}

function dependsOnQuery(node: DurationNode): boolean {
  switch (node.kind) {
    case 'seconds':
      return false;
    case 'step':
    case 'range':
      return true;
    case 'negate':
      return dependsOnQuery(node.operand);
    default:
      return dependsOnQuery(node.lhs) || dependsOnQuery(node.rhs);
  }
}

/**
 * Seconds of `node` for a query of step `stepSeconds` and range `rangeSeconds` (both 0 for an instant
 * query), as Prometheus's `durationVisitor` computes them.
 * @throws PromqlError `PROMQL_EVAL` for a division or modulo by zero.
 */
function evaluateDurationNode(node: DurationNode, stepSeconds: number, rangeSeconds: number): number {
  const at = (n: DurationNode) => evaluateDurationNode(n, stepSeconds, rangeSeconds);
  switch (node.kind) {
    case 'seconds':
      return node.value;
    case 'step':
      return stepSeconds;
    case 'range':
      return rangeSeconds;
    case 'negate':
      return -at(node.operand);
    case 'min_of':
      return Math.min(at(node.lhs), at(node.rhs));
    case 'max_of':
      return Math.max(at(node.lhs), at(node.rhs));
    case 'binary': {
      const lhs = at(node.lhs);
      const rhs = at(node.rhs);
      if (rhs === 0 && (node.op === '/' || node.op === '%')) {
        throw new PromqlError('PROMQL_EVAL', node.op === '/' ? 'division by zero' : 'modulo by zero');
      }
      return durationOps[node.op]!(lhs, rhs);
    }
  }
}

/**
 * Seconds of a constant duration node of lezer's tree; a query-dependent one (with `step()` or `range()`)
 * comes back as its tree instead, with the text it was written as.
 */
export function durationSeconds(text: string, node: SyntaxNode): number | QueryDuration {
  const tree = durationNode(text, node);
  if (dependsOnQuery(tree)) return { text: text.slice(node.from, node.to).trim(), node: tree };
  return evaluateDurationNode(tree, 0, 0);
}

/**
 * Milliseconds of a query-dependent duration for a query of `stepMs` and range `rangeMs`, truncated as
 * Prometheus truncates them; `allowNegative` for offsets.
 * @throws PromqlError `PROMQL_EVAL` when the duration is not finite, out of range, or not positive where
 *   it must be.
 */
export function resolveDuration(
  duration: QueryDuration,
  stepMs: number,
  rangeMs: number,
  allowNegative: boolean,
): number {
  const seconds = evaluateDurationNode(duration.node, stepMs / 1000, rangeMs / 1000);
  if (!Number.isFinite(seconds)) throw new PromqlError('PROMQL_EVAL', 'duration is NaN or infinite');
  if (seconds <= 0 && !allowNegative) {
    throw new PromqlError('PROMQL_EVAL', 'duration must be greater than 0');
  }
  if (Math.abs(seconds) > maxDurationSeconds)
    throw new PromqlError('PROMQL_EVAL', 'duration is out of range');
  return Math.trunc(seconds * 1000);
}
