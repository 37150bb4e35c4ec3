/**
 * Random PromQL programs for property tests: atoms joined by every binary operator and matching modifier,
 * wrapped in parentheses, unary minus, a function, an aggregation and (optionally) a subquery, so that
 * generated text reaches deep into the grammar.
 */
import fc from 'fast-check';

const operators = ['+', '-', '*', '/', '%', '^', '==', '!=', '> bool', '<', 'and', 'or', 'unless', 'atan2'];
const modifiers = ['', ' on(job)', ' ignoring(a) group_left(b)', ' on() group_right'];

/** Options of {@link promqlExpression}. */
export interface ExpressionOptions {
  /** Also wrap expressions in `max_over_time((...)[10m:1m])`. Default false. */
  readonly subqueries?: boolean;
}

/** Programs built from `atoms`; some are ill-typed on purpose (the parser must say so, not crash). */
export function promqlExpression(
  atoms: readonly string[],
  options: ExpressionOptions = {},
): fc.Arbitrary<string> {
  return fc.letrec((tie) => {
    const expr = () => tie('expr') as fc.Arbitrary<string>;
    const wrappers = [
      expr().map((e) => `(${e})`),
      expr().map((e) => `-${e}`),
      expr().map((e) => `abs(${e})`),
      expr().map((e) => `sum without (a) (${e})`),
      ...(options.subqueries ? [expr().map((e) => `max_over_time((${e})[10m:1m])`)] : []),
    ];
    return {
      expr: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.constantFrom(...atoms),
        fc
          .tuple(expr(), fc.constantFrom(...operators), fc.constantFrom(...modifiers), expr())
          .map(([a, op, m, b]) => `${a} ${op}${m} ${b}`),
        ...wrappers,
      ),
    };
  }).expr;
}
