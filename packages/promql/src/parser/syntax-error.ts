/**
 * Turns the first error node of lezer's error-tolerant tree into a message close to the one Prometheus's Go
 * parser gives for the same text ("unexpected end of input", `unknown function with name "foo"`, ...).
 */
import type { SyntaxNode, Tree } from '@lezer/common';
import { caretExcerpt, PromqlError, positionOf } from '../errors.ts';
import { bracketStateAt, lexerErrorAt } from './bracket-state.ts';

/**
 * Where in the grammar an error sits, named as Prometheus names it in its messages. Go's grammar has error
 * rules only for these constructs, so an error inside a function call, parentheses or a binary expression
 * takes the context of the nearest enclosing one of them (often the aggregation around it), or none.
 */
const contextNames: Readonly<Record<string, string>> = {
  LabelMatchers: 'label matching',
  UnquotedLabelMatcher: 'label matching',
  QuotedLabelMatcher: 'label matching',
  GroupingLabels: 'grouping opts',
  AggregateModifier: 'grouping opts',
  AggregateExpr: 'aggregation',
  MatrixSelector: 'subquery or range',
  SubqueryExpr: 'subquery selector',
  DurationExpr: 'duration',
  OffsetExpr: 'offset',
  OffsetDurationExpr: 'offset',
  StepInvariantExpr: '@',
  MatchingModifierClause: 'grouping opts',
};

/** Constructs that delimit a list of arguments, labels or matchers. */
const listNodes = new Set([
  'FunctionCallBody',
  'ParenExpr',
  'GroupingLabels',
  'LabelMatchers',
  'MatrixSelector',
]);

function firstErrorNode(tree: Tree): SyntaxNode | undefined {
  let found: SyntaxNode | undefined;
  tree.iterate({
    enter(ref) {
      if (found !== undefined) return false;
      if (ref.type.isError) {
        found = ref.node;
        return false;
      }
      return undefined;
    },
  });
  return found;
}

const keywords = new Set(['bool', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset']);
const aggregators = new Set([
  'sum',
  'avg',
  'count',
  'min',
  'max',
  'group',
  'stddev',
  'stdvar',
  'topk',
  'bottomk',
  'count_values',
  'quantile',
  'limitk',
  'limit_ratio',
]);
const wordOperators = new Set(['and', 'or', 'unless', 'atan2']);

/** A short description of the token starting at `offset`, in the style of Go's `item.desc()`. */
function describeToken(text: string, offset: number): string {
  const rest = text.slice(offset);
  if (rest.trim() === '') return 'end of input';
  const trimmed = rest.trimStart();
  const quoted = /^("(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?|`[^`]*`?)/.exec(trimmed);
  if (quoted !== null) return `string ${quoted[0]}`;
  const number = /^(?:0[xX][0-9a-fA-F]+|\d[\d_]*(?:\.\d*)?(?:[eE][+-]?\d+)?[a-z]*|\.\d+)/.exec(trimmed);
  // Go's lexer reads a number with a unit as a duration token.
  if (number !== null) {
    const duration = /[a-z]$/.test(number[0]) && !/^0[xX]/.test(number[0]);
    return `${duration ? 'duration' : 'number'} "${number[0]}"`;
  }
  const identifier = /^[A-Za-z_:][A-Za-z0-9_:]*/.exec(trimmed);
  if (identifier !== null) {
    // Go's lexer makes keywords, aggregators and word operators tokens of their own, shown in angle brackets.
    const word = identifier[0];
    const lower = word.toLowerCase();
    if (keywords.has(lower)) return `<${word}>`;
    if (aggregators.has(lower)) return `<aggr:${word}>`;
    if (wordOperators.has(lower)) return `<op:${word}>`;
    return `identifier "${word}"`;
  }
  const operator = /^(?:==|!=|>=|<=|=~|!~|[-+*/%^<>=!(){}[\],@:])/.exec(trimmed);
  if (operator !== null) return `"${operator[0]}"`;
  return `character: '${[...trimmed][0] ?? ''}'`;
}

/** Whether the innermost list around `node` is the argument list of a call (or of an aggregation). */
function inCallArguments(node: SyntaxNode): boolean {
  for (let n: SyntaxNode | null = node.parent; n !== null; n = n.parent) {
    if (listNodes.has(n.name)) return n.name === 'FunctionCallBody';
  }
  return false;
}

function contextOf(node: SyntaxNode): string | undefined {
  for (let n: SyntaxNode | null = node.parent; n !== null; n = n.parent) {
    // Right after `sum` Go's grammar still reads a metric name (`sum` is one), not an aggregation.
    if (n.name === 'AggregateExpr' && n.getChild('AggregateOp')?.nextSibling?.type.isError) continue;
    const name = contextNames[n.name];
    if (name !== undefined) return name;
  }
  return undefined;
}

/** The identifier that ends right before `node`, skipping whitespace, and where it starts. */
function identifierBefore(text: string, node: SyntaxNode): { name: string; start: number } | undefined {
  const match = /([A-Za-z_:][A-Za-z0-9_:]*)\s*$/.exec(text.slice(0, node.from));
  return match?.[1] === undefined ? undefined : { name: match[1], start: match.index };
}

/** Whether the first error, at `node`, is a `(` right after the identifier `previous`: a call of it. */
function isCallOf(
  text: string,
  node: SyntaxNode,
  previous: { name: string; start: number } | undefined,
): previous is { name: string; start: number } {
  // Inside braces Go's lexer already refuses the '(' (see findSyntaxError), before any function is looked up.
  return (
    previous !== undefined &&
    text.slice(node.from).trimStart().startsWith('(') &&
    contextOf(node) !== 'grouping opts' &&
    !bracketStateAt(text, node.from).braceOpen
  );
}

/**
 * Lezer's grammar reads `min_of` and `max_of` only inside durations (`x[min_of(5m, 1h)]`); Prometheus also
 * calls them as scalar functions (`min_of(3, 5)`). When the first error of `tree` is such a call, the
 * offset of the function's name, for the parser to re-read it as a call; otherwise `undefined`.
 */
export function durationOnlyCallAt(text: string, tree: Tree): number | undefined {
  const node = firstErrorNode(tree);
  if (node === undefined) return undefined;
  const previous = identifierBefore(text, node);
  if (!isCallOf(text, node, previous)) return undefined;
  return previous.name === 'min_of' || previous.name === 'max_of' ? previous.start : undefined;
}

/**
 * Lezer reads `step()`, `range()`, `min_of()` and `max_of()` in durations only in lower case; Prometheus in
 * any case. When the first error of `tree` is such a name in another case, its `[start, end)`, for the
 * parser to re-read it in lower case; otherwise `undefined`.
 */
export function upperCaseDurationCallAt(text: string, tree: Tree): [number, number] | undefined {
  const node = firstErrorNode(tree);
  if (node === undefined) return undefined;
  const match = /^(\s*)(step|range|min_of|max_of)\s*\(/i.exec(text.slice(node.from));
  if (match === null || match[2] === match[2]!.toLowerCase()) return undefined;
  const start = node.from + match[1]!.length;
  return [start, start + match[2]!.length];
}

/** Builds a `PROMQL_PARSE` error at `[start, end)` of `text`. */
export function parseError(text: string, message: string, start: number, end: number): PromqlError {
  const position = positionOf(text, start, Math.max(end, start));
  return new PromqlError('PROMQL_PARSE', `${position.line}:${position.column}: parse error: ${message}`, {
    position,
    excerpt: caretExcerpt(text, position),
  });
}

/**
 * The syntax error of `tree`, or `undefined` when lezer recovered from nothing. Lezer always produces a
 * tree, so every error it skipped over shows up as an error node; the first one is what the user fixes.
 */
export function findSyntaxError(text: string, tree: Tree): PromqlError | undefined {
  // Only whitespace and `#` comments: Prometheus's lexer finds no token at all.
  if (text.replace(/#[^\n]*/g, '').trim() === '')
    return parseError(text, 'no expression found in input', 0, 0);
  const node = firstErrorNode(tree);
  if (node === undefined) return undefined;
  const errorText = text.slice(node.from);
  const previous = identifierBefore(text, node);
  const context = contextOf(node);
  if (isCallOf(text, node, previous)) {
    return parseError(
      text,
      `unknown function with name "${previous.name}"`,
      previous.start,
      previous.start + previous.name.length,
    );
  }
  const skipped = errorText.length - errorText.trimStart().length;
  const start = node.from + skipped;
  const end = Math.max(node.to, start + 1);
  // A number glued to letters or digits lezer could not take (`5mm`, `5m1`): Go's lexer reads one bad token.
  const glued = /([0-9][0-9a-zA-Z_.]*)$/.exec(text.slice(0, node.from));
  if (skipped === 0 && glued !== null && /^[0-9a-zA-Z_]/.test(errorText)) {
    const token = glued[1]! + /^[0-9a-zA-Z_]*/.exec(errorText)![0];
    return parseError(text, `bad number or duration syntax: "${token}"`, node.from - glued[1]!.length, start);
  }
  const description = describeToken(text, node.from);
  // Go's grammar has a rule for an argument list ending in a comma, whatever token follows it.
  const trailingComma = /,\s*$/.exec(text.slice(0, node.from));
  if (trailingComma !== null && inCallArguments(node)) {
    return parseError(
      text,
      'trailing commas not allowed in function call args',
      trailingComma.index,
      trailingComma.index + 1,
    );
  }
  const lexerError = lexerErrorAt(text, description === 'end of input' ? text.length : start);
  if (lexerError !== undefined) {
    return parseError(text, lexerError.message, lexerError.offset, lexerError.offset);
  }
  // A character no token starts with is an error of Go's lexer, which names no grammar context.
  if (description.startsWith('character:')) return parseError(text, `unexpected ${description}`, start, end);
  const before = text.slice(0, start).trimEnd();
  const expected = expectedAfter[context ?? ''] ?? expectedIn(context, before);
  const message = `unexpected ${description}${context === undefined ? '' : ` in ${context}`}${expected === undefined ? '' : `, expected ${expected}`}`;
  return parseError(text, message, start, end);
}

/** What Prometheus says it expected in a context, from the text before the unexpected token. */
function expectedIn(context: string | undefined, before: string): string | undefined {
  switch (context) {
    case 'label matching':
      if (/(?:=~|!~|!=|=)$/.test(before)) return 'string';
      if (/[{,]$/.test(before)) return 'identifier or "}"';
      if (/["'`]$/.test(before)) return '"," or "}"';
      return 'label matching operator';
    case 'grouping opts':
      if (/(?:^|[^\w:])(?:by|without|on|ignoring|group_left|group_right)$/i.test(before)) return '"("';
      if (/[(,]$/.test(before)) return 'label';
      return '"," or ")"';
    case 'subquery or range':
      return /[0-9a-zA-Z]$/.test(before) ? '":" or "]"' : undefined;
    case 'subquery selector':
      return /:$/.test(before) ? 'duration or "]"' : '"]"';
    default:
      return undefined;
  }
}

/** What Prometheus says it expected, by context. */
const expectedAfter: Readonly<Record<string, string>> = {
  offset: 'number, duration, step(), or range()',
  '@': 'timestamp',
};
