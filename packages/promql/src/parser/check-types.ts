/**
 * The PromQL type checker: the rules of Prometheus's `checkAST` (promql/parser/parse.go) with its messages,
 * so a user sees the same complaint from yardstick and from Prometheus.
 */
import { caretExcerpt, PromqlError, positionOf } from '../errors.ts';
import { compileMatcher } from '../storage/label-matcher.ts';
import type { Binary, Expr, Position, ValueType, VectorMatching } from './ast.ts';
import { getFunction } from './functions.ts';

/** The type an expression evaluates to. */
export function typeOf(expr: Expr): ValueType {
  switch (expr.type) {
    case 'number':
      return 'scalar';
    case 'string':
      return 'string';
    case 'vectorSelector':
    case 'aggregate':
      return 'vector';
    case 'matrixSelector':
    case 'subquery':
      return 'matrix';
    case 'call':
      return getFunction(expr.func)?.returnType ?? 'vector';
    case 'binary':
      return typeOf(expr.lhs) === 'scalar' && typeOf(expr.rhs) === 'scalar' ? 'scalar' : 'vector';
    case 'unary':
    case 'paren':
      return typeOf(expr.expr);
  }
}

/** Prometheus's `DocumentedType`: the names its messages use. */
export function documentedType(type: ValueType): string {
  if (type === 'vector') return 'instant vector';
  if (type === 'matrix') return 'range vector';
  return type;
}

const comparisonOps = new Set(['==', '!=', '>', '<', '>=', '<=']);
const setOps = new Set(['and', 'or', 'unless']);

/** A `PROMQL_TYPE` error at `pos` of `text`, worded like Prometheus's parse errors. */
export function typeError(text: string, pos: Position, message: string): PromqlError {
  const position = positionOf(text, pos.start, pos.end);
  return new PromqlError('PROMQL_TYPE', `${position.line}:${position.column}: parse error: ${message}`, {
    position,
    excerpt: caretExcerpt(text, position),
  });
}

/**
 * The `on(...)`/`ignoring(...)` clause of binary nodes whose operands are not both instant vectors. The tree
 * keeps no matching for them (there is nothing to match), so the builder notes the clause here: the checker
 * reports it where Prometheus's `checkAST` does, and a rebuilt node (a postfix modifier moved into an
 * operand) keeps it.
 */
const droppedMatching = new WeakMap<Binary, VectorMatching>();

/** Notes the vector-matching clause written on `node` between operands that are not both instant vectors. */
export function noteDroppedMatching(node: Binary, clause: VectorMatching): void {
  droppedMatching.set(node, clause);
}

/** The clause {@link noteDroppedMatching} noted for `node`. */
export function droppedMatchingOf(node: Binary): VectorMatching | undefined {
  return droppedMatching.get(node);
}

class TypeChecker {
  readonly text: string;
  readonly problems: PromqlError[] = [];
  /** Selectors exempt from the empty-matcher rule: the label filter of `info()`, as in Prometheus. */
  readonly bypassEmptyMatcherCheck = new Set<Expr>();

  constructor(text: string) {
    this.text = text;
  }

  add(pos: Position, message: string): void {
    this.problems.push(typeError(this.text, pos, message));
  }

  expect(expr: Expr, want: ValueType, context: string): void {
    const got = this.check(expr);
    if (got !== want) {
      this.add(expr.pos, `expected type ${documentedType(want)} in ${context}, got ${documentedType(got)}`);
    }
  }

  operatorPos(node: Binary): Position {
    let start = node.lhs.pos.end;
    let end = node.rhs.pos.start;
    while (start < end && /\s/.test(this.text[start] ?? '')) start++;
    while (end > start && /\s/.test(this.text[end - 1] ?? '')) end--;
    return { start, end };
  }

  binary(node: Binary): void {
    const lt = this.check(node.lhs);
    const rt = this.check(node.rhs);
    if (node.returnBool && !comparisonOps.has(node.op)) {
      this.add(this.operatorPos(node), 'bool modifier can only be used on comparison operators');
    }
    if (comparisonOps.has(node.op) && !node.returnBool && lt === 'scalar' && rt === 'scalar') {
      this.add(this.operatorPos(node), 'comparisons between scalars must use BOOL modifier');
    }
    const matching = node.matching;
    if (matching?.on) {
      for (const label of matching.labels) {
        if (matching.include.includes(label)) {
          this.add(this.operatorPos(node), `label "${label}" must not occur in ON and GROUP clause at once`);
        }
      }
    }
    if (lt !== 'scalar' && lt !== 'vector') {
      this.add(node.lhs.pos, 'binary expression must contain only scalar and instant vector types');
    }
    if (rt !== 'scalar' && rt !== 'vector') {
      this.add(node.rhs.pos, 'binary expression must contain only scalar and instant vector types');
    }
    const dropped = droppedMatching.get(node);
    if ((dropped?.labels.length ?? 0) > 0) {
      this.add(node.pos, 'vector matching only allowed between instant vectors');
    }
    if (dropped?.fill !== undefined) {
      this.add(node.pos, 'filling in missing series only allowed between instant vectors');
    }
    const isSet = setOps.has(node.op);
    if (isSet && matching !== undefined) {
      if (matching.card === 'one-to-many' || matching.card === 'many-to-one') {
        this.add(node.pos, `no grouping allowed for "${node.op}" operation`);
      }
      if (matching.fill !== undefined) {
        this.add(node.pos, 'filling in missing series not allowed for set operators');
      }
    }
    if ((lt === 'scalar' || rt === 'scalar') && isSet) {
      this.add(node.pos, `set operator "${node.op}" not allowed in binary scalar expression`);
    }
  }

  check(expr: Expr): ValueType {
    switch (expr.type) {
      case 'aggregate':
        this.expect(expr.expr, 'vector', 'aggregation expression');
        if (expr.param !== undefined) {
          this.expect(expr.param, expr.op === 'count_values' ? 'string' : 'scalar', 'aggregation parameter');
        }
        break;
      case 'binary':
        this.binary(expr);
        break;
      case 'call': {
        const fn = getFunction(expr.func);
        if (fn === undefined) {
          this.add(expr.pos, `unknown function with name "${expr.func}"`);
          break;
        }
        const nargs = fn.argTypes.length;
        const got = expr.args.length;
        if (fn.variadic === 0) {
          if (nargs !== got)
            this.add(expr.pos, `expected ${nargs} argument(s) in call to "${fn.name}", got ${got}`);
        } else if (nargs - 1 > got) {
          this.add(
            expr.pos,
            `expected at least ${nargs - 1} argument(s) in call to "${fn.name}", got ${got}`,
          );
        } else if (fn.variadic > 0 && nargs - 1 + fn.variadic < got) {
          this.add(
            expr.pos,
            `expected at most ${nargs - 1 + fn.variadic} argument(s) in call to "${fn.name}", got ${got}`,
          );
        }
        const infoFilter = fn.name === 'info' ? expr.args[1] : undefined;
        if (infoFilter !== undefined) {
          if (infoFilter.type !== 'vectorSelector') this.add(infoFilter.pos, 'expected label selectors only');
          else if (infoFilter.name !== undefined) {
            this.add(infoFilter.pos, 'expected label selectors only, got vector selector instead');
          } else this.bypassEmptyMatcherCheck.add(infoFilter);
        }
        expr.args.forEach((arg, index) => {
          if (index >= nargs && fn.variadic === 0) return;
          const want = fn.argTypes[Math.min(index, nargs - 1)]!;
          const t = this.check(arg);
          if (t !== want) {
            this.add(
              arg.pos,
              `expected type ${documentedType(want)} in call to function "${fn.name}", got ${documentedType(t)}`,
            );
          }
        });
        break;
      }
      case 'paren':
        this.check(expr.expr);
        break;
      case 'unary': {
        const t = this.check(expr.expr);
        if (t !== 'scalar' && t !== 'vector') {
          this.add(
            expr.pos,
            `unary expression only allowed on expressions of type scalar or instant vector, got "${documentedType(t)}"`,
          );
        }
        break;
      }
      case 'subquery': {
        const t = this.check(expr.expr);
        if (t !== 'vector')
          this.add(expr.pos, `subquery is only allowed on instant vector, got ${t} instead`);
        break;
      }
      case 'matrixSelector':
        this.check(expr.vector);
        break;
      case 'vectorSelector':
        if (expr.name !== undefined) {
          for (const m of expr.matchers.slice(0, -1)) {
            if (m.name === '__name__') {
              this.add(expr.pos, `metric name must not be set twice: "${expr.name}" or "${m.value}"`);
            }
          }
        } else if (
          !this.bypassEmptyMatcherCheck.has(expr) &&
          expr.matchers.every((m) => compileMatcher(m).matchesEmpty)
        ) {
          this.add(expr.pos, 'vector selector must contain at least one non-empty matcher');
        }
        break;
      case 'number':
      case 'string':
        break;
    }
    return typeOf(expr);
  }
}

/**
 * Every type error in `expr`, in the order Prometheus's checker finds them (children before parents).
 * `text` is the query the tree came from, for positions and excerpts.
 */
export function checkTypes(expr: Expr, text: string): PromqlError[] {
  const checker = new TypeChecker(text);
  checker.check(expr);
  return checker.problems;
}
