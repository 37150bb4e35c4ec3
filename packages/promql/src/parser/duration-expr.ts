/**
 * Durations inside `[...]`, after `offset` and after `@`: a number of seconds (`90`, `1.5`), a duration
 * (`1h30m`), and constant arithmetic on them (`[5m + 30s]`, Prometheus's experimental duration
 * expressions), folded here to milliseconds. `step()`, `range()`, `min_of()` and `max_of()` depend on the
 * query and are reported as unsupported.
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
  Add: (a, b) => a + b,
  Sub: (a, b) => a - b,
  Mul: (a, b) => a * b,
  Div: (a, b) => a / b,
  Mod: (a, b) => a % b,
  Pow: (a, b) => a ** b,
};

/** A Go `time.Duration` is int64 nanoseconds: 2^63 / 1e9 seconds. */
const maxDurationSeconds = 2 ** 63 / 1e9;

const queryDependent = new Set(['DurationStep', 'DurationRange', 'DurationMinOf', 'DurationMaxOf']);

/** Seconds of a `DurationExpr`, `OffsetDurationExpr` or literal node of lezer's tree. */
export function durationSeconds(text: string, node: SyntaxNode): number {
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
      return value;
    }
    case 'DurationExpr':
    case 'OffsetDurationExpr': {
      const children: SyntaxNode[] = [];
      for (let c = node.firstChild; c !== null; c = c.nextSibling) children.push(c);
      const [first, second, third] = children;
      if (first === undefined)
        throw parseError(text, 'unexpected end of input in duration', node.from, node.to);
      if (queryDependent.has(first.name)) return durationSeconds(text, first);
      if (first.name === 'UnaryOp' && second !== undefined) {
        const value = durationSeconds(text, second);
        return text.slice(first.from, first.to) === '-' ? -value : value;
      }
      if (second !== undefined && third !== undefined) {
        const op = durationOps[second.name];
        if (op === undefined) throw parseError(text, `unexpected ${second.name}`, second.from, second.to);
        const rhs = durationSeconds(text, third);
        if (rhs === 0 && (second.name === 'Div' || second.name === 'Mod')) {
          const what = second.name === 'Div' ? 'division by zero' : 'modulo by zero';
          throw parseError(text, what, node.from, node.to);
        }
        return op(durationSeconds(text, first), rhs);
      }
      return durationSeconds(text, first);
    }
    case 'DurationStep':
    case 'DurationRange':
    case 'DurationMinOf':
    case 'DurationMaxOf':
      throw new PromqlError(
        'PROMQL_UNSUPPORTED',
        `duration expressions with ${text.slice(node.from, node.to)}() are not supported`,
      );
    default:
      throw parseError(text, `unexpected ${node.name} in duration`, node.from, node.to);
  }
}
