import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Expr } from './ast.ts';
import { formatExpr, formatNumber } from './format-expr.ts';
import { formatDurationMs } from './literals.ts';
import { parseExpr } from './parse-expr.ts';
import { promqlExpression } from './testing/expression-arbitrary.ts';

const canonical = (text: string) => formatExpr(parseExpr(text));

/**
 * The tree without source positions and with matchers in a fixed order (Prometheus prints them sorted),
 * to compare a parse of the printed text with the original.
 */
function shape(expr: Expr): unknown {
  return JSON.parse(
    JSON.stringify(expr, (key, value) => {
      if (key === 'pos') return undefined;
      if (key === 'matchers') return [...value].map((m) => JSON.stringify(m)).sort();
      return value;
    }),
  );
}

describe('formatExpr', () => {
  it('prints what Prometheus prints for the common spellings', () => {
    const cases: [string, string][] = [
      ['sum(rate(x_total[5m])) by (route)', 'sum by (route) (rate(x_total[5m]))'],
      ['sum by(route)(rate(x_total[300s]))', 'sum by (route) (rate(x_total[5m]))'],
      ['sum without(a,b)(x)', 'sum without (a, b) (x)'],
      ['sum by () (x)', 'sum(x)'],
      ['topk(3,x)', 'topk(3, x)'],
      ['count_values("v", x)', 'count_values("v", x)'],
      ['x{b="2",a=~"1.*"}', 'x{a=~"1.*",b="2"}'],
      ['{__name__="x"}', '{__name__="x"}'],
      ['{__name__=~"x|y", job!="a"}', '{__name__=~"x|y",job!="a"}'],
      ['x[90m] offset 1d', 'x[1h30m] offset 1d'],
      ['x offset -5m', 'x offset -5m'],
      ['x @ 100 offset 5m', 'x @ 100.000 offset 5m'],
      ['rate(x[5m] @ end())', 'rate(x[5m] @ end())'],
      ['max_over_time(rate(x[1m])[1h:])', 'max_over_time(rate(x[1m])[1h:])'],
      ['x[1h:5m] offset 10m', 'x[1h:5m] offset 10m'],
      ['a+on(job)group_left(x)b', 'a + on (job) group_left (x) b'],
      ['a + ignoring(i) b', 'a + ignoring (i) b'],
      ['a + ignoring() b', 'a + b'],
      ['a / on() b', 'a / on () b'],
      ['a and b', 'a and b'],
      ['a>bool 3', 'a > bool 3'],
      ['-(a)', '-(a)'],
      ['- 5', '-5'],
      ['-2^2', '-2 ^ 2'],
      ['1e3', '1000'],
      ['0x1f', '31'],
      ['Inf', '+Inf'],
      ['-inf', '-Inf'],
      ['NaN', 'NaN'],
      ['label_replace(x, \'dst\', \'$1\', "src", "(.*)")', 'label_replace(x, "dst", "$1", "src", "(.*)")'],
      ['x{a="tab\\there"}', 'x{a="tab\\there"}'],
      ['x{a="é\\u0007"}', 'x{a="é\\a"}'],
      ['sum by ("my.label") (x)', 'sum by ("my.label") (x)'],
      ['(a + b) * c', '(a + b) * c'],
    ];
    for (const [input, expected] of cases) expect(canonical(input), input).toBe(expected);
  });

  it('prints numbers as strconv.FormatFloat(v, f, -1, 64)', () => {
    expect(formatNumber(1e21)).toBe('1000000000000000000000');
    expect(formatNumber(1.5e-7)).toBe('0.00000015');
    expect(formatNumber(-1.25e22)).toBe('-12500000000000000000000');
    expect(formatNumber(0.1)).toBe('0.1');
    expect(formatNumber(-0)).toBe('-0');
  });

  it('prints durations as model.Duration does', () => {
    expect(formatDurationMs(8 * 86_400_000)).toBe('8d');
    expect(formatDurationMs(14 * 86_400_000)).toBe('2w');
    expect(formatDurationMs(3 * 365 * 86_400_000)).toBe('3y');
    expect(formatDurationMs(86_400_000 + 1)).toBe('1d1ms');
  });
});

/** Building blocks for random expressions that the printer must reproduce faithfully. */
const atoms = [
  'up',
  'http_requests_total{job="api", code=~"5..", a!="x\\"y"}',
  '{"utf8.name"}',
  'x[5m]',
  'rate(x[90s])',
  'sum by (job) (x)',
  'topk(3, x)',
  'quantile(0.9, x)',
  '1.5',
  '-2',
  '1e-9',
  '"str\\n"',
  'x offset -5m',
  'x @ start()',
  'x @ 1234.5',
  'x[1h:5m] offset 1w',
  'histogram_quantile(0.9, sum by (le) (rate(b[5m])))',
  'label_join(x, "d", ",", "a", "b")',
  'time()',
];
const expression = promqlExpression(atoms, { subqueries: true });

describe('formatExpr round trip', () => {
  it('prints text that parses back to the same tree, and prints the same again', () => {
    let checked = 0;
    fc.assert(
      fc.property(expression, (text) => {
        let expr: Expr;
        try {
          expr = parseExpr(text);
        } catch {
          return; // the generator also writes ill-typed programs; those have nothing to print
        }
        const printed = formatExpr(expr);
        const again = parseExpr(printed);
        expect(shape(again), `${text}\n-> ${printed}`).toEqual(shape(expr));
        expect(formatExpr(again)).toBe(printed);
        checked++;
      }),
      { numRuns: 400 },
    );
    expect(checked).toBeGreaterThan(50);
  });
});
