import { describe, expect, it } from 'vitest';
import { PromqlError } from '../errors.ts';
import type { Expr } from './ast.ts';
import { formatExpr } from './format-expr.ts';
import { parseExpr } from './parse-expr.ts';

/** The tree without positions, for readable expectations. */
function shape(text: string): unknown {
  return JSON.parse(JSON.stringify(parseExpr(text), (key, value) => (key === 'pos' ? undefined : value)));
}

function failure(text: string): PromqlError {
  try {
    parseExpr(text);
  } catch (e) {
    if (e instanceof PromqlError) return e;
    throw e;
  }
  throw new Error(`expected ${text} to fail`);
}

function evalConst(e: Expr): number {
  switch (e.type) {
    case 'number':
      return e.value;
    case 'paren':
      return evalConst(e.expr);
    case 'unary':
      return e.op === '-' ? -evalConst(e.expr) : evalConst(e.expr);
    case 'binary': {
      const a = evalConst(e.lhs);
      const b = evalConst(e.rhs);
      const ops: Record<string, number> = { '+': a + b, '-': a - b, '*': a * b, '/': a / b, '^': a ** b };
      return ops[e.op]!;
    }
    default:
      throw new Error(`not constant: ${e.type}`);
  }
}

describe('parseExpr number literals', () => {
  it('reads numbers the way Go does: hex, octal, exponents, trailing dots, Inf and NaN in any case', () => {
    const value = (t: string) => (parseExpr(t) as { value: number }).value;
    expect(value('0x1F')).toBe(31);
    expect(value('0755')).toBe(493);
    expect(value('08')).toBe(8);
    expect(value('1_000')).toBe(1000);
    expect(value('12.34e-6')).toBeCloseTo(0.00001234, 15);
    expect(value('.2')).toBe(0.2);
    expect(value('2.')).toBe(2);
    expect(value('2.e3')).toBe(2000);
    expect(value('inF')).toBe(Infinity);
    expect(value('-inf')).toBe(-Infinity);
    expect(value('NaN')).toBeNaN();
    expect(value('1m30s')).toBe(90);
  });

  it('binds unary minus looser than ^, and ^ to the right, as Prometheus does', () => {
    expect(evalConst(parseExpr('-2^2'))).toBe(-4);
    expect(evalConst(parseExpr('2^3^2'))).toBe(512);
    expect(evalConst(parseExpr('2 ^ -1'))).toBe(0.5);
    expect(evalConst(parseExpr('1 - -1'))).toBe(2);
    expect(evalConst(parseExpr('1 + 2 * 3'))).toBe(7);
    expect(evalConst(parseExpr('10 - 2 - 3'))).toBe(5);
    expect(evalConst(parseExpr('(1 + 2) * 3'))).toBe(9);
    expect(evalConst(parseExpr('- - 2'))).toBe(2);
  });
});

describe('parseExpr selectors', () => {
  it('puts the name matcher last and keeps every matcher type', () => {
    expect(shape('http_requests_total{job="api", code!="500", path=~"/a.*", m!~"x"}')).toEqual({
      type: 'vectorSelector',
      name: 'http_requests_total',
      matchers: [
        { type: '=', name: 'job', value: 'api' },
        { type: '!=', name: 'code', value: '500' },
        { type: '=~', name: 'path', value: '/a.*' },
        { type: '!~', name: 'm', value: 'x' },
        { type: '=', name: '__name__', value: 'http_requests_total' },
      ],
      offsetMs: 0,
    });
  });

  it('accepts quoted UTF-8 metric and label names', () => {
    expect(shape('{"http.server.duration", "service.name"="api"}')).toMatchObject({
      matchers: [
        { type: '=', name: '__name__', value: 'http.server.duration' },
        { type: '=', name: 'service.name', value: 'api' },
      ],
    });
  });

  it('unquotes Go escapes in double, single and raw strings', () => {
    const firstValue = (t: string) =>
      (parseExpr(t) as { matchers: ReadonlyArray<{ value: string }> }).matchers[0]?.value;
    expect(firstValue('x{a="\\u00e9\\x41\\101\\n\\""}')).toBe('éAA\n"');
    expect(firstValue("x{a='it\\'s'}")).toBe("it's");
    expect(firstValue('x{a=`\\d+`}')).toBe('\\d+');
    expect(shape('"\\xc3\\xa9"')).toEqual({ type: 'string', value: 'é' });
  });

  it('reads offsets (negative too), @ timestamps, start() and end()', () => {
    expect(shape('x offset -5m')).toMatchObject({ offsetMs: -300_000 });
    expect(shape('x @ 100.5 offset 1m')).toMatchObject({
      offsetMs: 60_000,
      at: { kind: 'timestamp', ms: 100_500 },
    });
    expect(shape('x[5m] @ end()')).toMatchObject({ rangeMs: 300_000, vector: { at: { kind: 'end' } } });
    expect(shape('rate(x[1m])[10m:30s] offset 1h @ start()')).toMatchObject({
      type: 'subquery',
      rangeMs: 600_000,
      stepMs: 30_000,
      offsetMs: 3_600_000,
      at: { kind: 'start' },
    });
    expect(shape('x[1h:]')).toMatchObject({ type: 'subquery', stepMs: 0 });
  });

  it('rejects modifiers in places Prometheus rejects them', () => {
    expect(failure('x offset 5m[1m]').message).toContain('no offset modifiers allowed before range');
    expect(failure('(x) offset 1m').message).toContain('offset modifier must be preceded by');
    expect(failure('x offset 1m offset 2m').message).toContain('offset may not be set multiple times');
    expect(failure('x @ 1 @ 2').message).toContain('@ <timestamp> may not be set multiple times');
    expect(failure('rate(x[1m])[0s:]').message).toContain('duration must be greater than 0');
    expect(failure('sum(x)[5m]').message).toContain('ranges only allowed for vector selectors');
  });
});

describe('parseExpr keywords as metric names', () => {
  it('reads offset as a metric name where an expression starts, and as the modifier after one', () => {
    expect(shape('offset')).toMatchObject({ type: 'vectorSelector', name: 'offset' });
    expect(shape('offset offset 5m')).toMatchObject({ name: 'offset', offsetMs: 300_000 });
    expect(shape('rate(offset[5m])')).toMatchObject({ args: [{ vector: { name: 'offset' } }] });
    expect(shape('offset{a="b"} + on(a) offset')).toMatchObject({
      lhs: { name: 'offset' },
      rhs: { name: 'offset', offsetMs: 0 },
    });
    expect(shape('sum(OFFSET)')).toMatchObject({ expr: { name: 'OFFSET' } });
    expect(failure('x offset').message).toContain('unexpected end of input in offset');
  });

  it('accepts aggregation names as metric names as Prometheus does, but not atan2', () => {
    expect(shape('sum')).toMatchObject({ type: 'vectorSelector', name: 'sum' });
    expect(shape('avg + topk')).toMatchObject({ lhs: { name: 'avg' }, rhs: { name: 'topk' } });
    expect(shape('sum(sum)')).toMatchObject({ type: 'aggregate', expr: { name: 'sum' } });
    expect(failure('atan2').message).toBe('1:1: parse error: unexpected <op:atan2>');
    expect(failure('atan2{a="b"}').code).toBe('PROMQL_PARSE');
    expect(shape('{__name__="atan2"}')).toMatchObject({ type: 'vectorSelector' });
  });
});

describe('parseExpr postfix modifiers', () => {
  it('binds offset, @, ranges and subqueries to the operand right before them', () => {
    expect(shape('a offset 1m or b offset 2m')).toMatchObject({
      op: 'or',
      lhs: { name: 'a', offsetMs: 60_000 },
      rhs: { name: 'b', offsetMs: 120_000 },
    });
    expect(shape('a @ 50 + b @ 100')).toMatchObject({
      lhs: { at: { kind: 'timestamp', ms: 50_000 } },
      rhs: { at: { kind: 'timestamp', ms: 100_000 } },
    });
    expect(shape('-a @ 100')).toMatchObject({ type: 'unary', expr: { name: 'a', at: { ms: 100_000 } } });
    expect(failure('a * b[5m:1m]').message).toContain('binary expression must contain only');
    expect(shape('sum(a)[5m:1m] offset 1m')).toMatchObject({ type: 'subquery', offsetMs: 60_000 });
  });

  it('keeps the type errors Prometheus reports for modifiers on the wrong operand', () => {
    expect(failure('a + b[5m]').message).toContain(
      'binary expression must contain only scalar and instant vector types',
    );
    expect(failure('-a[5m]').message).toContain(
      'unary expression only allowed on expressions of type scalar or instant vector',
    );
  });
});

describe('parseExpr operators and aggregations', () => {
  it('reads bool, on/ignoring and group_left/group_right with their labels', () => {
    expect(shape('a > bool b')).toMatchObject({ op: '>', returnBool: true });
    expect(shape('a * on(x, y) group_left(z) b')).toMatchObject({
      matching: { card: 'many-to-one', on: true, labels: ['x', 'y'], include: ['z'] },
    });
    expect(shape('a / ignoring(x) group_right b')).toMatchObject({
      matching: { card: 'one-to-many', on: false, labels: ['x'], include: [] },
    });
    expect(shape('a or b')).toMatchObject({ matching: { card: 'many-to-many' } });
    expect(shape('a + 1')).not.toHaveProperty('matching');
  });

  it('makes and/unless bind tighter than or', () => {
    expect(shape('a or b and c')).toMatchObject({ op: 'or', rhs: { op: 'and' } });
    expect(shape('a unless b or c')).toMatchObject({ op: 'or', lhs: { op: 'unless' } });
  });

  it('reads grouping before or after the body, and aggregation parameters', () => {
    const before = shape('sum by (job) (x)');
    expect(before).toEqual(shape('sum(x) by (job)'));
    expect(before).toMatchObject({ op: 'sum', grouping: ['job'], without: false });
    expect(shape('topk without (a) (3, x)')).toMatchObject({
      op: 'topk',
      param: { value: 3 },
      without: true,
    });
    expect(shape('count_values("v", x)')).toMatchObject({ param: { type: 'string', value: 'v' } });
    expect(shape('SUM(x)')).toMatchObject({ op: 'sum' });
  });
});

describe('parseExpr errors', () => {
  it('reports syntax errors with a position and a caret excerpt', () => {
    const e = failure('sum(rate(x[5m])');
    expect(e.code).toBe('PROMQL_PARSE');
    expect(e.message).toMatch(/unclosed left parenthesis/);
    expect(e.position?.line).toBe(1);
    expect(e.excerpt).toContain('^');
  });

  it('words common syntax errors as Prometheus does', () => {
    const cases: Array<[string, string]> = [
      ['sum(rate(x[5m])', 'unclosed left parenthesis'],
      ['x{a="b"', 'unexpected end of input inside braces'],
      ['topk(x,)', 'trailing commas not allowed in function call args'],
      ['x offset', 'unexpected end of input in offset, expected number, duration, step(), or range()'],
      ['foo[5mm]', 'bad number or duration syntax: "5mm"'],
      ['foo[5s/0d]', 'division by zero'],
      ['foo offset 9.5e10', 'duration out of range'],
      ['9'.repeat(400), 'bad number or duration syntax'],
      ['.', "unexpected character: '.'"],
      ['# only a comment\n', 'no expression found in input'],
      ['foo @ +Inf', 'timestamp out of bounds for @ modifier: +Inf'],
    ];
    for (const [text, message] of cases) expect(failure(text).message, text).toContain(message);
  });

  it("words bracket and brace errors as Prometheus's lexer does (checked against Prometheus 2.42)", () => {
    const cases: Array<[string, string]> = [
      ['x)', "1:3: parse error: unexpected right parenthesis ')'"],
      ['sum(x))', "1:8: parse error: unexpected right parenthesis ')'"],
      ['x[5m)', "1:6: parse error: unexpected right parenthesis ')'"],
      ['x]', "1:2: parse error: unexpected right bracket ']'"],
      ['(x]', "1:3: parse error: unexpected right bracket ']'"],
      ['x}', "1:2: parse error: unexpected character: '}'"],
      ['(x + ', '1:6: parse error: unclosed left parenthesis'],
      ['sum(rate(x[5m]) + ', '1:19: parse error: unclosed left parenthesis'],
      ['rate(x[5m', '1:10: parse error: unclosed left parenthesis'],
      ['sum by (a', '1:10: parse error: unclosed left parenthesis'],
      ['x[5m', '1:5: parse error: unclosed left bracket'],
      ['x[5m:1m', '1:8: parse error: unclosed left bracket'],
      ['x{a~"b"}', "1:4: parse error: unexpected character inside braces: '~'"],
      ['x{a="b")', "1:8: parse error: unexpected character inside braces: ')'"],
      ['x{a=}', '1:5: parse error: unexpected "}" in label matching, expected string'],
      ['x{a="b"} bool', '1:10: parse error: unexpected <bool>'],
      ['sum(x) by', '1:10: parse error: unexpected end of input in grouping opts, expected "("'],
      ['x @', '1:4: parse error: unexpected end of input in @, expected timestamp'],
      ['"abc', '1:1: parse error: unterminated quoted string'],
      ['x{a="b}', '1:5: parse error: unterminated quoted string'],
      ['(x + 1) "abc', '1:9: parse error: unterminated quoted string'],
      ['x + y =~ z', "1:7: parse error: unexpected character after '=': '~'"],
      ['abs(x) 5m', '1:8: parse error: unexpected duration "5m"'],
      ['abs(x) 0x1f', '1:8: parse error: unexpected number "0x1f"'],
      ['clamp(x, 0,))', '1:11: parse error: trailing commas not allowed in function call args'],
      ['topk(3, [x)', '1:7: parse error: trailing commas not allowed in function call args'],
      ['sum without ((a) (x)', '1:14: parse error: unexpected "(" in grouping opts, expected label'],
      ['sum(abs(x y))', '1:11: parse error: unexpected identifier "y" in aggregation'],
      ['x{a(b)}', "1:4: parse error: unexpected character inside braces: '('"],
      ['sum(abs(x.))', "1:10: parse error: unexpected character: '.'"],
      ['sum wit (a) (x)', '1:5: parse error: unexpected identifier "wit"'],
    ];
    for (const [text, message] of cases) expect(failure(text).message, text).toBe(message);
  });

  it('refuses a matcher regex that does not compile, as Prometheus does, and accepts RE2-only syntax', () => {
    const e = failure('x{a=~"(", b="c"}');
    expect(e.code).toBe('PROMQL_PARSE');
    expect(e.message).toMatch(/^1:3: parse error: error parsing regexp: .+: `\(`$/);
    expect(failure('x{a!~"*a"} or y').message).toContain('error parsing regexp');
    // RE2 reads a brace that starts no repetition as a literal, and so does the matcher.
    expect(shape('x{a=~"a{2"}')).toMatchObject({ type: 'vectorSelector' });
    expect(shape('x{a=~"(?P<n>[[:alpha:]]+)\\\\pL\\\\x{e9}"}')).toMatchObject({ type: 'vectorSelector' });
  });

  it('names unknown functions', () => {
    expect(failure('foo(bar)').message).toBe('1:1: parse error: unknown function with name "foo"');
    expect(failure('foo (bar)').message).toBe('1:1: parse error: unknown function with name "foo"');
    expect(failure('x + \n  foo  (bar)').message).toBe('2:3: parse error: unknown function with name "foo"');
  });

  it('reports type errors with Prometheus wording', () => {
    const cases: Array<[string, string]> = [
      ['1 > 2', 'comparisons between scalars must use BOOL modifier'],
      ['a + bool b', 'bool modifier can only be used on comparison operators'],
      ['rate(x)', 'expected type range vector in call to function "rate", got instant vector'],
      ['sum(x[5m])', 'expected type instant vector in aggregation expression, got range vector'],
      ['topk("a", x)', 'expected type scalar in aggregation parameter, got string'],
      ['a and on(b) group_left(b) c', 'label "b" must not occur in ON and GROUP clause at once'],
      ['a and on(b) group_left c', 'no grouping allowed for "and" operation'],
      ['1 and 2', 'set operator "and" not allowed in binary scalar expression'],
      ['a + on(b) 1', 'vector matching only allowed between instant vectors'],
      ['{a=""}', 'vector selector must contain at least one non-empty matcher'],
      ['{a=~".*"}', 'vector selector must contain at least one non-empty matcher'],
      ['foo{__name__="bar"}', 'metric name must not be set twice: "foo" or "bar"'],
      ['-"a"', 'unary expression only allowed on expressions of type scalar or instant vector, got "string"'],
      ['x[5m][1h:]', 'subquery is only allowed on instant vector, got matrix instead'],
      ['round()', 'expected at least 1 argument(s) in call to "round", got 0'],
      ['round(x, 1, 2)', 'expected at most 2 argument(s) in call to "round", got 3'],
      ['time(1)', 'expected 0 argument(s) in call to "time", got 1'],
      ['x[5m] + 1', 'binary expression must contain only scalar and instant vector types'],
      ['sum()', 'no arguments for aggregate expression provided'],
      ['topk(x)', 'wrong number of arguments for aggregate expression provided, expected 2, got 1'],
    ];
    for (const [text, message] of cases) expect(failure(text).message, text).toContain(message);
  });

  it('reports the first error Prometheus reports when an expression has several', () => {
    const cases: Array<[string, string]> = [
      [
        'abs(clamp(x, 0, 1) - on(job) x[5m])',
        '1:30: parse error: binary expression must contain only scalar',
      ],
      ['-x[1h:5m] offset 1m != on(job) -2', '1:1: parse error: unary expression only allowed on expressions'],
      ['-0x1f or on(job) 1.5 offset 1m', '1:18: parse error: offset modifier must be preceded by'],
      [
        '(scalar(x))[5m:1m] % on(a) y',
        '1:1: parse error: subquery is only allowed on instant vector, got scalar',
      ],
      ['1 + on(a) x', '1:1: parse error: vector matching only allowed between instant vectors'],
      ['1 + on(a) x offset 5m', '1:1: parse error: vector matching only allowed between instant vectors'],
      ['1 + on(a) x @ 100', '1:1: parse error: vector matching only allowed between instant vectors'],
    ];
    for (const [text, message] of cases) expect(failure(text).message, text).toContain(message);
  });

  it('accepts an empty-matching label filter as the second argument of info()', () => {
    const expr = parseExpr('info(metric, {data=~".*"})', { experimentalFunctions: true });
    expect(expr).toMatchObject({ type: 'call', func: 'info' });
    expect(() => parseExpr('info(metric, target_info)', { experimentalFunctions: true })).toThrow(
      'expected label selectors only',
    );
  });

  it('keeps invalid UTF-8 bytes of Go strings visible as lone surrogates', () => {
    const value = (parseExpr('"\\xff"') as { value: string }).value;
    const loneSurrogate = /\p{Cs}/u;
    expect(value).toBe('\udcff');
    expect(loneSurrogate.test(value)).toBe(true);
    expect(loneSurrogate.test((parseExpr('"\\xc3\\xa9"') as { value: string }).value)).toBe(false);
  });

  it('reports feature-flagged syntax as unsupported', () => {
    expect(failure('x[5m] anchored').code).toBe('PROMQL_UNSUPPORTED');
    expect(shape('x[5m + 30s]')).toMatchObject({ rangeMs: 330_000 });
  });

  it('folds constant duration expressions and keeps those with step() or range() for the query', () => {
    expect(shape('x[min_of(1m, 2m) + 1s]')).toMatchObject({ rangeMs: 61_000 });
    expect(shape('x offset max_of(1m, -2m)')).toMatchObject({ offsetMs: 60_000 });
    const expr = parseExpr('rate(x[1 + STEP() * 2] offset -range())[range():step()]');
    expect(formatExpr(expr)).toBe('rate(x[1 + step() * 2] offset -range())[range():step()]');
    expect(failure('x[1m / (2m - 120)]').message).toContain('division by zero');
  });
});

describe('parseExpr fill modifiers', () => {
  const enabled = { binopFillModifiers: true };

  it('refuses them unless enabled, as Prometheus does without its feature flag', () => {
    expect(() => parseExpr('a + fill(0) b')).toThrow(
      '1:1: parse error: binop fill modifiers are experimental and not enabled',
    );
  });

  it('reads fill, fill_left and fill_right into the matching and prints them back', () => {
    const expr = parseExpr('a + on(x) group_left(y) fill_left(1) fill_right(-Inf) b', enabled);
    expect(expr).toMatchObject({ matching: { on: true, fill: { lhs: 1, rhs: Number.NEGATIVE_INFINITY } } });
    expect(formatExpr(expr)).toBe('a + on (x) group_left (y) fill_left (1) fill_right (-Inf) b');
    expect(formatExpr(parseExpr('a == bool fill(NaN) b', enabled))).toBe(
      'a == bool fill_left (NaN) fill_right (NaN) b',
    );
    expect(formatExpr(parseExpr('a - fill(2) b', enabled))).toBe('a - fill (2) b');
  });

  it('refuses them on scalars and set operators', () => {
    expect(() => parseExpr('a + fill(0) 1', enabled)).toThrow(
      'filling in missing series only allowed between instant vectors',
    );
    expect(() => parseExpr('a and fill(0) b', enabled)).toThrow(
      'filling in missing series not allowed for set operators',
    );
  });
});

describe('parseExpr experimental functions', () => {
  const enabled = { experimentalFunctions: true };
  const calls = [
    'double_exponential_smoothing(x[5m], 0.5, 0.5)',
    'histogram_quantiles(x, "q", 0.5, 0.9)',
    'info(x)',
    'mad_over_time(x[5m])',
    'sort_by_label(x, "a")',
    'sort_by_label_desc(x, "a", "b")',
    'start_timestamp(x)',
    'ts_of_first_over_time(x[5m])',
    'ts_of_last_over_time(x[5m])',
    'ts_of_max_over_time(x[5m])',
    'ts_of_min_over_time(x[5m])',
    'start()',
    'end()',
    'range()',
    'step()',
    'min_of(1, 2)',
    'max_of(1, 2)',
  ];

  function parseError(text: string, options = {}): PromqlError {
    try {
      parseExpr(text, options);
    } catch (e) {
      if (e instanceof PromqlError) return e;
      throw e;
    }
    throw new Error(`expected ${text} to fail`);
  }

  it('are a parse error by default, in the words of Prometheus without the feature flag', () => {
    for (const text of calls) {
      const name = text.slice(0, text.indexOf('('));
      const error = parseError(text);
      expect(error.code, text).toBe('PROMQL_PARSE');
      expect(error.message, text).toBe(`1:1: parse error: function "${name}" is not enabled`);
      expect(error.position, text).toMatchObject({ start: 0, end: name.length });
    }
    expect(parseError('limitk(1, x)').message).toBe(
      '1:1: parse error: limitk() is experimental and must be enabled with --enable-feature=promql-experimental-functions',
    );
    expect(parseError('sum(limit_ratio(0.5, x))').message).toBe(
      '1:5: parse error: limit_ratio() is experimental and must be enabled with --enable-feature=promql-experimental-functions',
    );
    expect(parseError('1 + sort_by_label(x, "a")').message).toBe(
      '1:5: parse error: function "sort_by_label" is not enabled',
    );
  });

  it('parse with experimentalFunctions', () => {
    for (const text of calls) {
      expect(parseExpr(text, enabled), text).toMatchObject({
        type: 'call',
        func: text.slice(0, text.indexOf('(')),
      });
    }
    expect(parseExpr('limitk by (a) (2, x)', enabled)).toMatchObject({ type: 'aggregate', op: 'limitk' });
    expect(parseExpr('limit_ratio(-0.5, x)', enabled)).toMatchObject({
      type: 'aggregate',
      op: 'limit_ratio',
    });
  });

  it('leave the stable uses of start() and end() alone', () => {
    expect(parseExpr('x @ start() + x @ end()')).toMatchObject({ type: 'binary' });
  });

  it('read min_of and max_of as calls outside durations, though lezer knows them only inside', () => {
    expect(parseExpr('1 + max_of(2, min_of (time(), 4))', enabled)).toMatchObject({
      rhs: { type: 'call', func: 'max_of', args: [{ value: 2 }, { type: 'call', func: 'min_of' }] },
    });
    expect(parseError('max_of(2, min_of(3))').message).toBe(
      '1:11: parse error: function "min_of" is not enabled',
    );
    expect(parseError('min_of(1, 2, 3)', enabled).message).toBe(
      '1:1: parse error: expected 2 argument(s) in call to "min_of", got 3',
    );
    expect(parseError('min_of(1, 2', enabled).message).toBe('1:12: parse error: unclosed left parenthesis');
    expect(parseExpr('sum by (min_of) (x{max_of="a"})')).toMatchObject({
      type: 'aggregate',
      grouping: ['min_of'],
    });
  });

  it('report errors in the order of Prometheus: the arguments first, then the flag, then the argument count', () => {
    expect(parseError('sort_by_label(x{a=~"("}, "a")').message).toContain('error parsing regexp');
    expect(parseError('limitk()').message).toBe(
      '1:1: parse error: no arguments for aggregate expression provided',
    );
    expect(parseError('limitk(1)').message).toContain('limitk() is experimental');
    expect(parseError('limitk(1)', enabled).message).toBe(
      '1:1: parse error: wrong number of arguments for aggregate expression provided, expected 2, got 1',
    );
    expect(parseError('sort_by_label()').message).toContain('function "sort_by_label" is not enabled');
    expect(parseError('sort_by_label()', enabled).message).toContain(
      'expected at least 1 argument(s) in call to "sort_by_label", got 0',
    );
  });
});
