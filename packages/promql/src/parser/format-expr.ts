/**
 * Prints an expression the way Prometheus's `String()` prints its AST (promql/parser/printer.go): the
 * canonical text that the rules API shows as `query` and that alerts carry in `generatorURL`.
 * `sum(rate(x[5m])) by (job)` prints as `sum by (job) (rate(x[5m]))`, matchers come sorted, durations
 * normalised (`90m` -> `1h30m`), strings quoted as Go quotes them. Parentheses are printed where they
 * were written (the tree keeps them), so the text parses back to the same tree.
 */
import type { AtModifier, Expr, VectorMatching, VectorSelector } from './ast.ts';
import type { QueryDuration } from './duration-expr.ts';
import { goQuote } from './go-strings.ts';
import { formatDurationMs } from './literals.ts';

const LEGACY_LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const LEGACY_METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** The expression as Prometheus prints it. */
export function formatExpr(expr: Expr): string {
  switch (expr.type) {
    case 'number':
      return formatNumber(expr.value);
    case 'string':
      return goQuote(expr.value);
    case 'vectorSelector':
      return formatSelector(expr) + formatAt(expr.at) + formatOffset(expr.offsetMs, expr.offsetExpr);
    case 'matrixSelector': {
      const v = expr.vector;
      return `${formatSelector(v)}[${formatDuration(expr.rangeMs, expr.rangeExpr)}]${formatAt(v.at)}${formatOffset(v.offsetMs, v.offsetExpr)}`;
    }
    case 'subquery': {
      const step =
        expr.stepMs === 0 && expr.stepExpr === undefined ? '' : formatDuration(expr.stepMs, expr.stepExpr);
      return `${formatExpr(expr.expr)}[${formatDuration(expr.rangeMs, expr.rangeExpr)}:${step}]${formatAt(expr.at)}${formatOffset(expr.offsetMs, expr.offsetExpr)}`;
    }
    case 'call':
      return `${expr.func}(${expr.args.map(formatExpr).join(', ')})`;
    case 'aggregate': {
      let text: string = expr.op;
      if (expr.without) text += ` without (${formatLabelList(expr.grouping)}) `;
      else if (expr.grouping.length > 0) text += ` by (${formatLabelList(expr.grouping)}) `;
      const param = expr.param === undefined ? '' : `${formatExpr(expr.param)}, `;
      return `${text}(${param}${formatExpr(expr.expr)})`;
    }
    case 'binary': {
      const bool = expr.returnBool ? ' bool' : '';
      return `${formatExpr(expr.lhs)} ${expr.op}${bool}${formatMatching(expr.matching)} ${formatExpr(expr.rhs)}`;
    }
    case 'unary':
      return expr.op + formatExpr(expr.expr);
    case 'paren':
      return `(${formatExpr(expr.expr)})`;
  }
}

/** `strconv.FormatFloat(v, 'f', -1, 64)`: the shortest digits that read back as `v`, never an exponent. */
export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  if (Object.is(value, -0)) return '-0';
  const text = String(value);
  const exp = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (exp === null) return text;
  const [, sign, lead, fraction = '', power] = exp;
  const digits = lead! + fraction;
  const point = 1 + Number(power);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  return sign + digits.padEnd(point, '0');
}

function formatLabelName(name: string): string {
  return LEGACY_LABEL_NAME.test(name) ? name : goQuote(name);
}

function formatLabelList(names: readonly string[]): string {
  return names.map(formatLabelName).join(', ');
}

/** `name{matchers}` without modifiers; the name's own matcher is left out, the rest sorted as text. */
function formatSelector(selector: VectorSelector): string {
  const { name } = selector;
  const printName = name !== undefined && LEGACY_METRIC_NAME.test(name);
  const matchers: string[] = [];
  for (const m of selector.matchers) {
    if (printName && m.name === '__name__' && m.type === '=' && m.value === name) continue;
    matchers.push(`${formatLabelName(m.name)}${m.type}${goQuote(m.value)}`);
  }
  // Go's sort.Strings compares bytes; UTF-16 order agrees with it outside the astral planes.
  matchers.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const prefix = printName ? name : '';
  return matchers.length === 0 ? prefix : `${prefix}{${matchers.join(',')}}`;
}

function formatAt(at: AtModifier | undefined): string {
  if (at === undefined) return '';
  if (at.kind === 'start') return ' @ start()';
  if (at.kind === 'end') return ' @ end()';
  return ` @ ${(at.ms / 1000).toFixed(3)}`;
}

/** A duration as written when it depends on the query (`step()`, `range()`), else in Prometheus's units. */
function formatDuration(ms: number, expr: QueryDuration | undefined): string {
  return expr === undefined ? formatDurationMs(ms) : expr.text;
}

function formatOffset(offsetMs: number, expr?: QueryDuration): string {
  if (expr !== undefined) return ` offset ${expr.text}`;
  if (offsetMs === 0) return '';
  return offsetMs > 0 ? ` offset ${formatDurationMs(offsetMs)}` : ` offset -${formatDurationMs(-offsetMs)}`;
}

/** ` on (a)`, ` ignoring (a)`, ` group_left (b)`: printed only where they change the meaning. */
function formatMatching(matching: VectorMatching | undefined): string {
  if (matching === undefined) return '';
  const grouped = matching.card === 'many-to-one' || matching.card === 'one-to-many';
  let text = '';
  if (matching.labels.length > 0 || matching.on || grouped) {
    text = ` ${matching.on ? 'on' : 'ignoring'} (${formatLabelList(matching.labels)})`;
  }
  if (grouped) {
    text += ` group_${matching.card === 'many-to-one' ? 'left' : 'right'} (${formatLabelList(matching.include)})`;
  }
  const { lhs, rhs } = matching.fill ?? {};
  if (lhs !== undefined && rhs !== undefined && lhs === rhs) return `${text} fill (${formatNumber(lhs)})`;
  if (lhs !== undefined) text += ` fill_left (${formatNumber(lhs)})`;
  if (rhs !== undefined) text += ` fill_right (${formatNumber(rhs)})`;
  return text;
}
