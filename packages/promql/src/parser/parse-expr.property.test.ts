import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PromqlError } from '../errors.ts';
import { parseExpr } from './parse-expr.ts';
import { promqlExpression } from './testing/expression-arbitrary.ts';
import { validateExpr } from './validate-expr.ts';

/** Building blocks of plausible PromQL, so random programs reach deep into the grammar. */
const atoms = [
  'up',
  'http_requests_total{job="api", code=~"5.."}',
  '{"utf8.name"}',
  'x[5m]',
  'rate(x[5m])',
  'sum by (job) (x)',
  'topk(3, x)',
  '1.5',
  '-2',
  '0x1f',
  'Inf',
  '"str"',
  'x offset -5m',
  'offset',
  'x @ start()',
  'x[1h:5m]',
  'histogram_quantile(0.9, sum by (le) (rate(b[5m])))',
];
const expression = promqlExpression(atoms);

/** Cuts, duplicates or replaces one slice of the text: the typos users make. */
const mutated = fc
  .tuple(
    expression,
    fc.nat(),
    fc.nat(),
    fc.constantFrom('', '(', ')', '[', ']', '{', '}', '"', ',', '@', ' offset ', '5m', '=~', '\\', '.', '#'),
  )
  .map(([text, a, b, insert]) => {
    const i = a % (text.length + 1);
    const j = Math.min(text.length, i + (b % 4));
    return text.slice(0, i) + insert + text.slice(j);
  });

function parsesOrThrowsPromqlError(text: string): void {
  try {
    parseExpr(text);
  } catch (e) {
    if (!(e instanceof PromqlError)) throw e;
    expect(['PROMQL_PARSE', 'PROMQL_TYPE', 'PROMQL_UNSUPPORTED']).toContain(e.code);
    if (e.code !== 'PROMQL_UNSUPPORTED') {
      expect(e.position).toBeDefined();
      expect(e.position!.start).toBeLessThanOrEqual(text.length);
    }
  }
}

describe('parseExpr on random input', () => {
  it('either returns a tree or throws a PromqlError for generated expressions', () => {
    fc.assert(fc.property(expression, parsesOrThrowsPromqlError), { numRuns: 300 });
  });

  it('either returns a tree or throws a PromqlError for mutated expressions', () => {
    fc.assert(fc.property(mutated, parsesOrThrowsPromqlError), { numRuns: 1000 });
  });

  it('either returns a tree or throws a PromqlError for arbitrary text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 40 }), parsesOrThrowsPromqlError), { numRuns: 1000 });
  });

  it('gives every node a position inside the text', () => {
    fc.assert(
      fc.property(expression, (text) => {
        let tree: ReturnType<typeof parseExpr>;
        try {
          tree = parseExpr(text);
        } catch {
          return;
        }
        expect(tree.pos.start).toBeGreaterThanOrEqual(0);
        expect(tree.pos.end).toBeLessThanOrEqual(text.length);
      }),
      { numRuns: 200 },
    );
  });

  it('lets validateExpr list problems instead of throwing, for any mutated expression', () => {
    fc.assert(
      fc.property(mutated, (text) => {
        const problems = validateExpr(text, { knownMetrics: ['up'] });
        for (const p of problems) expect(p.message.length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });
});
