import { parser } from '@prometheus-io/lezer-promql';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findSyntaxError, isPlainSelector, parseFilter, rewriteQueryWithFilters } from './filter-rewrite.ts';

const env = parseFilter('env=prod');

describe('parseFilter', () => {
  it('reads all four matcher operators', () => {
    expect(parseFilter('env=prod')).toEqual({ label: 'env', operator: '=', value: 'prod' });
    expect(parseFilter('env!=dev')).toEqual({ label: 'env', operator: '!=', value: 'dev' });
    expect(parseFilter('path=~/api/.*')).toEqual({ label: 'path', operator: '=~', value: '/api/.*' });
    expect(parseFilter('code!~5..')).toEqual({ label: 'code', operator: '!~', value: '5..' });
    expect(parseFilter('q=a=b')).toEqual({ label: 'q', operator: '=', value: 'a=b' });
  });

  it('rejects invalid and reserved label names with the flag value in the message', () => {
    expect(() => parseFilter('1abc=x')).toThrow(/--filter "1abc=x": "1abc" is not a valid label name/);
    expect(() => parseFilter('my-label=x')).toThrow(/not a valid label name/);
    expect(() => parseFilter('__name__=x')).toThrow(/reserved/);
    expect(() => parseFilter('novalue')).toThrow(/expected key=value/);
  });

  it('accepts exactly the label names Prometheus accepts', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 12 }), (name) => {
        fc.pre(!/[=!~]/.test(name) && name.trim() === name && !name.startsWith('__'));
        const valid = /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name);
        if (valid) expect(parseFilter(`${name}=v`).label).toBe(name);
        else expect(() => parseFilter(`${name}=v`)).toThrow();
      }),
    );
  });
});

describe('rewriteQueryWithFilters', () => {
  it('adds the matcher to a bare metric name', () => {
    expect(rewriteQueryWithFilters('up', [env])).toBe('up{env="prod"}');
  });

  it('appends to existing matchers, with or without a trailing comma, and to empty braces', () => {
    expect(rewriteQueryWithFilters('up{job="a"}', [env])).toBe('up{job="a",env="prod"}');
    expect(rewriteQueryWithFilters('up{job="a",}', [env])).toBe('up{job="a",env="prod"}');
    expect(rewriteQueryWithFilters('{__name__="up"}', [env])).toBe('{__name__="up",env="prod"}');
  });

  it('rewrites every selector of an expression, inside functions, ranges and subqueries', () => {
    const query =
      'sum by (job) (rate(a_total{code=~"5.."}[5m])) / on(job) sum(rate(a_total[5m])) + max_over_time(b[1h:5m])';
    expect(rewriteQueryWithFilters(query, [env, parseFilter('region!~eu-.*')])).toBe(
      'sum by (job) (rate(a_total{code=~"5..",env="prod",region!~"eu-.*"}[5m])) / on(job) ' +
        'sum(rate(a_total{env="prod",region!~"eu-.*"}[5m])) + max_over_time(b{env="prod",region!~"eu-.*"}[1h:5m])',
    );
  });

  it('escapes quotes and backslashes in values', () => {
    expect(rewriteQueryWithFilters('up', [parseFilter('path=C:\\"x"')])).toBe('up{path="C:\\\\\\"x\\""}');
  });

  it('reports a query that does not parse as INVALID_QUERY with the position', () => {
    expect(() => rewriteQueryWithFilters('sum(up', [env])).toThrow(
      /--query "sum\(up": syntax error at character/,
    );
  });

  it('keeps any rewritten query parseable and puts the matcher in every selector', () => {
    const name = fc.stringMatching(/^[a-z_][a-z0-9_]{0,8}$/);
    const selector = fc
      .tuple(name, fc.option(fc.tuple(name, fc.string({ maxLength: 6 })), { nil: undefined }))
      .map(([metric, matcher]) =>
        matcher ? `${metric}{${matcher[0]}=${JSON.stringify(matcher[1])}}` : metric,
      )
      .filter(
        (s) =>
          !/^(sum|rate|by|on|and|or|unless|bool|offset|without|ignoring|group_left|group_right|inf|nan|atan2|avg|count|min|max|topk|bottomk|quantile|stddev|stdvar|group|count_values|limitk|limit_ratio|start|end|smoothed|anchored|fill|fill_left|fill_right)\b/.test(
            s,
          ),
      );
    const expr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
      e: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        selector,
        tie('e').map((e) => `sum(${e})`),
        selector.map((s) => `rate(${s}[5m])`),
        fc.tuple(tie('e'), tie('e')).map(([a, b]) => `${a} + ${b}`),
      ),
    })).e;
    fc.assert(
      fc.property(expr, fc.string({ maxLength: 8 }), (query, value) => {
        fc.pre(findSyntaxError(query) === undefined);
        const filter = { label: 'team', operator: '=' as const, value };
        const rewritten = rewriteQueryWithFilters(query, [filter]);
        expect(findSyntaxError(rewritten)).toBeUndefined();
        let selectors = 0;
        let filtered = 0;
        parser.parse(rewritten).iterate({
          enter(node) {
            if (node.name === 'VectorSelector') {
              selectors++;
              if (rewritten.slice(node.from, node.to).includes(`team=${JSON.stringify(value)}`)) filtered++;
            }
          },
        });
        expect(filtered).toBe(selectors);
      }),
      { numRuns: 300 },
    );
  });
});

describe('isPlainSelector', () => {
  it('is true only for a single vector selector', () => {
    expect(isPlainSelector('up')).toBe(true);
    expect(isPlainSelector('up{job="a"}')).toBe(true);
    expect(isPlainSelector('rate(up[5m])')).toBe(false);
    expect(isPlainSelector('up + up')).toBe(false);
    expect(isPlainSelector('up[5m]')).toBe(false);
  });
});
