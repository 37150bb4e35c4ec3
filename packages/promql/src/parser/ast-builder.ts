/**
 * The builder of the typed {@link Expr} tree from lezer's syntax tree, with the semantics of Prometheus's Go
 * parser where the two grammars differ: unary minus binds looser than `^` (`-2^2` is -4), a sign folds into
 * a number literal, numbers follow Go's syntax, postfix modifiers bind to the operand right before them, and
 * matcher regexes must compile.
 */
import type { SyntaxNode } from '@lezer/common';
import { PromqlError } from '../errors.ts';
import { regexSyntaxError } from '../storage/label-matcher.ts';
import type { LabelMatcher, MatchType } from '../storage/queryable.ts';
import type {
  AggregateOp,
  AtModifier,
  Binary,
  BinaryOp,
  Cardinality,
  Expr,
  FillValues,
  Position,
  VectorMatching,
  VectorSelector,
} from './ast.ts';
import { droppedMatchingOf, noteDroppedMatching, typeOf } from './check-types.ts';
import {
  durationSeconds,
  numberOrDurationSeconds,
  type QueryDuration,
  secondsToMs,
} from './duration-expr.ts';
import { EXPERIMENTAL_AGGREGATIONS, getFunction } from './functions.ts';
import { InvalidStringLiteral, unquoteString } from './literals.ts';
import { subqueryOf, withAt, withOffset, withRange } from './postfix-modifiers.ts';
import { parseError } from './syntax-error.ts';

const binaryOps: Readonly<Record<string, BinaryOp>> = {
  Add: '+',
  Sub: '-',
  Mul: '*',
  Div: '/',
  Mod: '%',
  Pow: '^',
  Atan2: 'atan2',
  Eql: '==',
  Neq: '!=',
  Gtr: '>',
  Lss: '<',
  Gte: '>=',
  Lte: '<=',
  And: 'and',
  Or: 'or',
  Unless: 'unless',
  TrimUpper: '</',
  TrimLower: '>/',
};

const matchTypes: Readonly<Record<string, MatchType>> = {
  EqlSingle: '=',
  Neq: '!=',
  EqlRegex: '=~',
  NeqRegex: '!~',
};

const setOperators = new Set<BinaryOp>(['and', 'or', 'unless']);

/** Aggregations that take a parameter before the vector. */
const paramAggregations = new Set(['topk', 'bottomk', 'quantile', 'count_values', 'limitk', 'limit_ratio']);

/** Builds the {@link Expr} of one parsed query; throws `PromqlError` for what the tree cannot hold. */
export class AstBuilder {
  /**
   * The text lezer parsed (trailing dots normalized, `min_of`/`max_of` calls spelled `vector`); same length
   * as `source`.
   */
  readonly text: string;
  /** The user's text, for error excerpts and function names. */
  readonly source: string;
  readonly experimental: boolean;
  readonly fillModifiers: boolean;

  constructor(text: string, source: string, experimental: boolean, fillModifiers: boolean) {
    this.text = text;
    this.source = source;
    this.experimental = experimental;
    this.fillModifiers = fillModifiers;
  }

  slice(node: SyntaxNode): string {
    return this.text.slice(node.from, node.to);
  }

  fail(node: SyntaxNode, message: string): PromqlError {
    return parseError(this.source, message, node.from, node.to);
  }

  unsupported(message: string): PromqlError {
    return new PromqlError('PROMQL_UNSUPPORTED', message);
  }

  string(node: SyntaxNode): string {
    try {
      return unquoteString(this.slice(node));
    } catch (e) {
      if (e instanceof InvalidStringLiteral) {
        const reason =
          e.message === 'unterminated quoted string'
            ? e.message
            : `error unquoting string ${JSON.stringify(this.slice(node))}: ${e.message}`;
        throw this.fail(node, reason);
      }
      throw e;
    }
  }

  exprChildren(node: SyntaxNode): SyntaxNode[] {
    const out: SyntaxNode[] = [];
    for (let c = node.firstChild; c !== null; c = c.nextSibling) if (c.type.is('Expr')) out.push(c);
    return out;
  }

  expr(node: SyntaxNode): Expr {
    const pos: Position = { start: node.from, end: node.to };
    switch (node.name) {
      case 'NumberDurationLiteral': {
        const token = this.slice(node);
        const negative = token.startsWith('-');
        const unsigned = token.replace(/^[+-]\s*/, '');
        const value = numberOrDurationSeconds(unsigned);
        if (value === undefined) throw this.fail(node, `bad number or duration syntax: "${unsigned}"`);
        return { type: 'number', value: negative ? -value : value, pos };
      }
      case 'StringLiteral':
        return { type: 'string', value: this.string(node), pos };
      case 'VectorSelector':
        return this.vectorSelector(node, pos);
      case 'ParenExpr':
        return { type: 'paren', expr: this.expr(this.only(node)), pos };
      case 'UnaryExpr': {
        const op = this.slice(node.getChild('UnaryOp')!) === '-' ? '-' : '+';
        const inner = this.expr(this.only(node));
        // Prometheus folds a sign into a number literal directly under it.
        if (inner.type === 'number') return { ...inner, value: op === '-' ? -inner.value : inner.value, pos };
        return { type: 'unary', op, expr: inner, pos };
      }
      case 'BinaryExpr':
        return this.binary(node, pos);
      case 'FunctionCall':
        return this.call(node, pos);
      case 'AggregateExpr':
        return this.aggregate(node, pos);
      case 'MatrixSelector':
        return this.matrix(node);
      case 'SubqueryExpr':
        return this.subquery(node);
      case 'OffsetExpr':
        return this.offset(node);
      case 'StepInvariantExpr':
        return this.at(node);
      case 'AnchoredExpr':
      case 'SmoothedExpr':
        throw this.unsupported(
          `the ${node.name === 'AnchoredExpr' ? 'anchored' : 'smoothed'} modifier is not supported`,
        );
      default:
        throw this.fail(node, `unexpected ${node.name}`);
    }
  }

  only(node: SyntaxNode): SyntaxNode {
    const [child] = this.exprChildren(node);
    if (child === undefined) throw this.fail(node, 'unexpected end of input');
    return child;
  }

  labelName(node: SyntaxNode): string {
    return node.name === 'QuotedLabelName' ? this.string(node.getChild('StringLiteral')!) : this.slice(node);
  }

  vectorSelector(node: SyntaxNode, pos: Position): VectorSelector {
    const identifier = node.getChild('Identifier');
    const name = identifier === null ? undefined : this.slice(identifier);
    // Lezer reads `atan2` as a contextual keyword and so lets it be a name; Go's lexer always makes it the
    // operator, which no metric name may be.
    if (identifier !== null && name!.toLowerCase() === 'atan2')
      throw this.fail(identifier, `unexpected <op:${name}>`);
    const matchers: LabelMatcher[] = [];
    const list = node.getChild('LabelMatchers');
    for (let m = list?.firstChild ?? null; m !== null; m = m.nextSibling) {
      if (m.name === 'QuotedLabelName') {
        matchers.push({ type: '=', name: '__name__', value: this.labelName(m) });
        continue;
      }
      const labelNode = m.getChild('LabelName') ?? m.getChild('QuotedLabelName');
      const opNode = m.getChild('MatchOp')?.firstChild;
      const valueNode = m.getChild('StringLiteral');
      if (labelNode === null || opNode === undefined || opNode === null || valueNode === null) {
        throw this.fail(m, 'unexpected label matcher');
      }
      const type = matchTypes[opNode.name];
      if (type === undefined) throw this.fail(opNode, `unexpected ${this.slice(opNode)} in label matching`);
      const value = this.string(valueNode);
      if (type === '=~' || type === '!~') {
        // Prometheus compiles matcher regexes while parsing and refuses the query when one does not compile;
        // matching nothing instead would hide the mistake (an alert that can never fire).
        const problem = regexSyntaxError(value);
        if (problem !== undefined) throw this.fail(m, problem);
      }
      matchers.push({ type, name: this.labelName(labelNode), value });
    }
    // Prometheus appends the matcher of a name written outside the braces last.
    if (name !== undefined) matchers.push({ type: '=', name: '__name__', value: name });
    return { type: 'vectorSelector', name, matchers, offsetMs: 0, at: undefined, pos };
  }

  binary(node: SyntaxNode, pos: Position): Expr {
    const [lhsNode, rhsNode] = this.exprChildren(node);
    let opNode: SyntaxNode | null = lhsNode?.nextSibling ?? null;
    const op = opNode === null ? undefined : binaryOps[opNode.name];
    if (lhsNode === undefined || rhsNode === undefined || opNode === null || op === undefined) {
      throw this.fail(node, 'unexpected binary expression');
    }
    let returnBool = false;
    let matching: VectorMatching | undefined;
    let fill: FillValues | undefined;
    for (opNode = opNode.nextSibling; opNode !== null && opNode !== rhsNode; opNode = opNode.nextSibling) {
      if (opNode.name === 'BoolModifier') returnBool = true;
      else if (opNode.name === 'MatchingModifierClause') matching = this.matching(opNode);
      else if (opNode.name === 'FillModifier') fill = this.fill(opNode, node);
    }
    if (fill !== undefined) {
      matching = { ...(matching ?? { card: 'one-to-one', on: false, labels: [], include: [] }), fill };
    }
    const lhsToken = this.slice(lhsNode);
    // Lezer lets a sign belong to the number on the left of `^`; Prometheus binds `^` first: -2^2 is -(2^2).
    if (op === '^' && lhsNode.name === 'NumberDurationLiteral' && /^[+-]/.test(lhsToken)) {
      const value = numberOrDurationSeconds(lhsToken.slice(1).trim()) ?? Number.NaN;
      const lhs: Expr = { type: 'number', value, pos: { start: lhsNode.from + 1, end: lhsNode.to } };
      const power = this.binaryNode(op, lhs, this.expr(rhsNode), returnBool, matching, {
        start: lhsNode.from + 1,
        end: pos.end,
      });
      return lhsToken.startsWith('-') ? { type: 'unary', op: '-', expr: power, pos } : power;
    }
    const lhs = this.expr(lhsNode);
    return this.binaryNode(op, lhs, this.expr(rhsNode), returnBool, matching, pos);
  }

  /**
   * Vector matching exists only between two instant vectors, as in Prometheus's `checkAST`; set operators
   * are always many-to-many.
   */
  binaryNode(
    op: BinaryOp,
    lhs: Expr,
    rhs: Expr,
    returnBool: boolean,
    clause: VectorMatching | undefined,
    pos: Position,
  ): Expr {
    const bothVectors = typeOf(lhs) === 'vector' && typeOf(rhs) === 'vector';
    let matching: VectorMatching | undefined;
    if (bothVectors) {
      matching = clause ?? { card: 'one-to-one', on: false, labels: [], include: [] };
      if (setOperators.has(op) && matching.card === 'one-to-one')
        matching = { ...matching, card: 'many-to-many' };
    }
    const node: Binary = { type: 'binary', op, lhs, rhs, returnBool, matching, pos };
    // Reported by the type checker, in Prometheus's order (after errors inside the operands).
    if (!bothVectors && clause !== undefined) noteDroppedMatching(node, clause);
    return node;
  }

  /** The values of a `FillModifier`; `binary` is the whole operation, for the error position. */
  fill(node: SyntaxNode, binary: SyntaxNode): FillValues {
    if (!this.fillModifiers) throw this.fail(binary, 'binop fill modifiers are experimental and not enabled');
    let lhs: number | undefined;
    let rhs: number | undefined;
    for (let c = node.firstChild; c !== null; c = c.nextSibling) {
      const literal = c.getChild('NumberDurationLiteral');
      if (literal === null) continue;
      const value = this.expr(literal);
      if (value.type !== 'number') throw this.fail(literal, 'fill value must be a number');
      if (c.name === 'FillClause' || c.name === 'FillLeftClause') lhs = value.value;
      if (c.name === 'FillClause' || c.name === 'FillRightClause') rhs = value.value;
    }
    return { lhs, rhs };
  }

  matching(node: SyntaxNode): VectorMatching {
    let on = false;
    let card: Cardinality = 'one-to-one';
    const groups: string[][] = [];
    for (let c = node.firstChild; c !== null; c = c.nextSibling) {
      if (c.name === 'On') on = true;
      else if (c.name === 'GroupLeft') card = 'many-to-one';
      else if (c.name === 'GroupRight') card = 'one-to-many';
      else if (c.name === 'GroupingLabels') groups.push(this.groupingLabels(c));
    }
    return { card, on, labels: groups[0] ?? [], include: groups[1] ?? [] };
  }

  groupingLabels(node: SyntaxNode): string[] {
    const out: string[] = [];
    for (let c = node.firstChild; c !== null; c = c.nextSibling) {
      if (c.name === 'LabelName' || c.name === 'QuotedLabelName') out.push(this.labelName(c));
    }
    return out;
  }

  call(node: SyntaxNode, pos: Position): Expr {
    const identifier = node.getChild('FunctionIdentifier')!;
    // From the user's text: the parser spells a `min_of`/`max_of` call as `vector` for lezer.
    const func = this.source.slice(identifier.from, identifier.to);
    // Go's parser reduces the arguments before the call, so their errors come first; its errors about the
    // function itself span the name.
    const args = this.exprChildren(node.getChild('FunctionCallBody')!).map((a) => this.expr(a));
    const signature = getFunction(func);
    if (signature === undefined) throw this.fail(identifier, `unknown function with name "${func}"`);
    if (signature.experimental && !this.experimental) {
      throw this.fail(identifier, `function "${func}" is not enabled`);
    }
    return { type: 'call', func, args, pos };
  }

  aggregate(node: SyntaxNode, pos: Position): Expr {
    const op = this.slice(node.getChild('AggregateOp')!).toLowerCase() as AggregateOp;
    const modifier = node.getChild('AggregateModifier');
    const without = modifier?.getChild('Without') !== null && modifier !== null;
    const grouping = modifier === null ? [] : this.groupingLabels(modifier.getChild('GroupingLabels')!);
    const args = this.exprChildren(node.getChild('FunctionCallBody')!).map((a) => this.expr(a));
    // The order of Go's newAggregateExpr: no arguments, then the feature flag, then the argument count.
    if (args.length === 0) throw this.fail(node, 'no arguments for aggregate expression provided');
    if (EXPERIMENTAL_AGGREGATIONS.has(op) && !this.experimental) {
      throw this.fail(
        node,
        `${op}() is experimental and must be enabled with --enable-feature=promql-experimental-functions`,
      );
    }
    const wanted = paramAggregations.has(op) ? 2 : 1;
    if (args.length !== wanted) {
      throw this.fail(
        node,
        `wrong number of arguments for aggregate expression provided, expected ${wanted}, got ${args.length}`,
      );
    }
    const expr = args[wanted - 1]!;
    const param = wanted === 2 ? args[0] : undefined;
    return { type: 'aggregate', op, expr, param, grouping, without, pos };
  }

  /** A range or subquery step: milliseconds, or the expression to resolve when the query runs. */
  rangeMs(text: SyntaxNode): number | QueryDuration {
    const seconds = durationSeconds(this.text, text);
    if (typeof seconds !== 'number') return seconds;
    if (seconds <= 0) throw this.fail(text, 'duration must be greater than 0');
    return secondsToMs(seconds);
  }

  /**
   * Applies a postfix modifier (`[range]`, `[range:step]`, `offset`, `@`) to the operand it binds to.
   * Lezer's grammar gives postfix modifiers the lowest precedence, so `a + b offset 1m` arrives as
   * `(a + b) offset 1m`; in Prometheus they bind tightest, so the modifier moves down the right edge of
   * binary and unary expressions to the operand written right before it.
   */
  postfix(target: Expr, end: number, apply: (operand: Expr) => Expr): Expr {
    if (target.type === 'binary') {
      const rhs = this.postfix(target.rhs, end, apply);
      const clause = target.matching ?? droppedMatchingOf(target);
      return this.binaryNode(target.op, target.lhs, rhs, target.returnBool, clause, {
        start: target.pos.start,
        end,
      });
    }
    if (target.type === 'unary') {
      return {
        ...target,
        expr: this.postfix(target.expr, end, apply),
        pos: { start: target.pos.start, end },
      };
    }
    return apply(target);
  }

  readonly failAt = (start: number, end: number, message: string): PromqlError =>
    parseError(this.source, message, start, end);

  matrix(node: SyntaxNode): Expr {
    const range = this.rangeMs(node.getChild('DurationExpr')!);
    return this.postfix(this.expr(this.only(node)), node.to, (t) =>
      withRange(t, range, node.to, this.failAt),
    );
  }

  subquery(node: SyntaxNode): Expr {
    const [rangeNode, stepNode] = node.getChildren('DurationExpr');
    const range = this.rangeMs(rangeNode!);
    const step = stepNode === undefined ? 0 : this.rangeMs(stepNode);
    return this.postfix(this.expr(this.only(node)), node.to, (t) => subqueryOf(t, range, step, node.to));
  }

  offset(node: SyntaxNode): Expr {
    const seconds = durationSeconds(this.text, node.getChild('OffsetDurationExpr')!);
    const offset = typeof seconds === 'number' ? secondsToMs(seconds) : seconds;
    return this.postfix(this.expr(this.only(node)), node.to, (t) =>
      withOffset(t, offset, node.to, this.failAt),
    );
  }

  atModifier(node: SyntaxNode): AtModifier {
    const preprocessor = node.getChild('AtModifierPreprocessors');
    if (preprocessor !== null) {
      return this.slice(preprocessor).toLowerCase() === 'start' ? { kind: 'start' } : { kind: 'end' };
    }
    const literal = node.getChild('NumberDurationLiteral')!;
    const seconds = (this.expr(literal) as { value: number }).value;
    if (!Number.isFinite(seconds) || Math.abs(seconds) >= 9.223372036854776e18) {
      const shown = Number.isFinite(seconds)
        ? seconds.toFixed(6)
        : seconds > 0
          ? '+Inf'
          : seconds < 0
            ? '-Inf'
            : 'NaN';
      throw this.fail(node, `timestamp out of bounds for @ modifier: ${shown}`);
    }
    return { kind: 'timestamp', ms: secondsToMs(seconds) };
  }

  at(node: SyntaxNode): Expr {
    const at = this.atModifier(node);
    return this.postfix(this.expr(this.only(node)), node.to, (t) => withAt(t, at, node.to, this.failAt));
  }
}
