/**
 * Parser for the Go `text/template` subset Prometheus alert templates use: text, `{{ pipeline }}`,
 * trim markers `{{-`/`-}}`, comments, variables (`:=`/`=`), `if/else if/else/end`, `range` (with
 * `$i, $e :=`), `with`, `break`/`continue`, pipelines and parenthesised pipelines. As in Go, unknown
 * functions and undefined variables are parse errors, so rule validation catches them at load time.
 */
import type { TemplateArg, TemplateNode, TemplatePipe } from './template-ast.ts';
import { fail, type Piece, type RawAction, splitTemplate, type Token } from './template-lexer.ts';

/** A command as Go's `CommandNode.String()` prints it: its operands separated by single spaces. */
export function commandText(args: readonly TemplateArg[]): string {
  return args.map((x) => x.text).join(' ');
}

class Parser {
  private pos = 0;
  private readonly scopes: Set<string>[];
  private readonly pieces: Piece[];
  private readonly name: string;
  private readonly functions: ReadonlySet<string>;

  constructor(pieces: Piece[], name: string, functions: ReadonlySet<string>, predeclared: readonly string[]) {
    this.pieces = pieces;
    this.name = name;
    this.functions = functions;
    this.scopes = [new Set(['$', ...predeclared])];
  }

  parseAll(): TemplateNode[] {
    const { nodes, end } = this.parseList(0);
    if (end !== undefined) {
      fail(this.name, end.action.line, end.action.col, `unexpected {{${end.word}}}`);
    }
    return nodes;
  }

  private parseList(depth: number): {
    nodes: TemplateNode[];
    end: { word: 'end' | 'else'; action: RawAction } | undefined;
  } {
    const nodes: TemplateNode[] = [];
    while (this.pos < this.pieces.length) {
      const piece = this.pieces[this.pos++]!;
      if (piece.kind === 'text') {
        nodes.push({ kind: 'text', text: piece.text });
        continue;
      }
      const a = piece.action;
      const first = a.tokens[0];
      if (first?.t === 'ident') {
        switch (first.v) {
          case 'end':
          case 'else':
            if (depth === 0) fail(this.name, a.line, a.col, `unexpected {{${first.v}}}`);
            return { nodes, end: { word: first.v, action: a } };
          case 'if':
          case 'with':
          case 'range':
            nodes.push(this.parseControl(first.v, a, depth));
            continue;
          case 'break':
          case 'continue':
            nodes.push({ kind: first.v });
            continue;
          case 'define':
          case 'template':
          case 'block':
            fail(this.name, a.line, a.col, `{{${first.v}}} is not supported in alert templates`);
        }
      }
      nodes.push({ kind: 'action', pipe: this.parsePipe(a, a.tokens, false) });
    }
    return { nodes, end: undefined };
  }

  private parseControl(kind: 'if' | 'with' | 'range', a: RawAction, depth: number): TemplateNode {
    this.scopes.push(new Set());
    const pipe = this.parsePipe(a, a.tokens.slice(1), kind === 'range');
    const body = this.parseList(depth + 1);
    this.scopes.pop();
    if (body.end === undefined)
      fail(this.name, a.line, a.col, `unexpected EOF: missing {{end}} for {{${kind}}}`);
    let otherwise: TemplateNode[] | undefined;
    if (body.end.word === 'else') {
      const rest = body.end.action.tokens.slice(1);
      if (rest.length > 0 && rest[0]!.t === 'ident' && (rest[0]!.v === 'if' || rest[0]!.v === 'with')) {
        // `{{else if x}}` is `{{else}}{{if x}}...{{end}}` sharing the outer `{{end}}`.
        const nested: RawAction = { tokens: rest, line: body.end.action.line, col: body.end.action.col };
        otherwise = [this.parseControl(rest[0]!.v as 'if' | 'with', nested, depth)];
        return { kind, pipe, body: body.nodes, otherwise };
      }
      this.scopes.push(new Set());
      const elseList = this.parseList(depth + 1);
      this.scopes.pop();
      if (elseList.end?.word !== 'end') fail(this.name, a.line, a.col, `expected {{end}} for {{${kind}}}`);
      otherwise = elseList.nodes;
    }
    return { kind, pipe, body: body.nodes, otherwise };
  }

  private declareVariable(name: string): void {
    this.scopes[this.scopes.length - 1]!.add(name);
  }

  private known(name: string): boolean {
    return this.scopes.some((s) => s.has(name));
  }

  private parsePipe(a: RawAction, tokens: readonly Token[], allowTwo: boolean): TemplatePipe {
    let decl: string[] = [];
    let assign = false;
    let rest = tokens;
    const t0 = tokens[0];
    const t1 = tokens[1];
    if (t0?.t === 'var' && t1?.t === 'op' && (t1.v === ':=' || t1.v === '=')) {
      decl = [t0.v];
      assign = t1.v === '=';
      rest = tokens.slice(2);
    } else if (
      allowTwo &&
      t0?.t === 'var' &&
      t1?.t === 'op' &&
      t1.v === ',' &&
      tokens[2]?.t === 'var' &&
      tokens[3]?.t === 'op' &&
      (tokens[3] as { v: string }).v === ':='
    ) {
      decl = [t0.v, (tokens[2] as { v: string }).v];
      rest = tokens.slice(4);
    }
    const { commands, next } = this.parseCommands(a, rest, 0, false);
    if (next !== rest.length) fail(this.name, a.line, a.col, 'unexpected ")"');
    if (commands.length === 0) fail(this.name, a.line, a.col, 'missing value for command');
    for (const d of decl) {
      if (assign) {
        if (!this.known(d)) fail(this.name, a.line, a.col, `undefined variable "${d}"`);
      } else this.declareVariable(d);
    }
    return { decl, assign, commands, line: a.line, col: a.col };
  }

  private parseCommands(
    a: RawAction,
    tokens: readonly Token[],
    start: number,
    inParen: boolean,
  ): { commands: TemplateArg[][]; next: number } {
    const commands: TemplateArg[][] = [];
    let current: TemplateArg[] = [];
    let i = start;
    while (i < tokens.length) {
      const tok = tokens[i]!;
      if (tok.t === 'op' && tok.v === ')') {
        if (!inParen) fail(this.name, a.line, a.col, 'unexpected right paren');
        break;
      }
      if (tok.t === 'op' && tok.v === '|') {
        if (current.length === 0) fail(this.name, a.line, a.col, 'missing command before "|"');
        commands.push(current);
        current = [];
        i++;
        continue;
      }
      i++;
      const where = { start: tok.at, at: tok.at, text: tok.raw };
      let arg: TemplateArg;
      switch (tok.t) {
        case 'ident':
          if (!this.functions.has(tok.v)) fail(this.name, a.line, a.col, `function "${tok.v}" not defined`);
          arg = { kind: 'function', name: tok.v, ...where };
          break;
        case 'field':
          arg = { kind: 'dot', chain: tok.v === '' ? [] : [tok.v], ...where };
          break;
        case 'var':
          if (!this.known(tok.v)) fail(this.name, a.line, a.col, `undefined variable "${tok.v}"`);
          arg = { kind: 'variable', name: tok.v, chain: [], ...where };
          break;
        case 'lit':
          arg = { kind: 'literal', value: tok.v, ...where };
          break;
        case 'op': {
          if (tok.v !== '(') fail(this.name, a.line, a.col, `unexpected "${tok.v}" in command`);
          const inner = this.parseCommands(a, tokens, i, true);
          if (tokens[inner.next]?.t !== 'op' || (tokens[inner.next] as { v: string }).v !== ')') {
            fail(this.name, a.line, a.col, 'unclosed left paren');
          }
          if (inner.commands.length === 0)
            fail(this.name, a.line, a.col, 'missing value for parenthesized pipeline');
          i = inner.next + 1;
          arg = {
            kind: 'pipe',
            pipe: { decl: [], assign: false, commands: inner.commands, line: a.line, col: a.col },
            chain: [],
            ...where,
            text: `(${inner.commands.map(commandText).join(' | ')})`,
          };
          break;
        }
        case 'fieldchain':
          fail(this.name, a.line, a.col, `unexpected .${tok.v}`);
      }
      const chain: string[] = [];
      const chainAt = tokens[i]?.at ?? 0;
      let chainText = '';
      while (tokens[i]?.t === 'fieldchain') {
        chain.push((tokens[i] as { v: string }).v);
        chainText += tokens[i]!.raw;
        i++;
      }
      if (chain.length > 0) {
        if (arg.kind === 'dot' || arg.kind === 'variable' || arg.kind === 'pipe') {
          // Go reports a chained operand at its first chained field.
          arg = { ...arg, chain: [...arg.chain, ...chain], at: chainAt, text: arg.text + chainText };
        } else fail(this.name, a.line, a.col, `unexpected .${chain[0]} after ${arg.kind}`);
      }
      current.push(arg);
    }
    if (current.length > 0) commands.push(current);
    return { commands, next: i };
  }
}

/**
 * Parses `text` into a tree. `functions` are the names callable in the template; `variables` are
 * predeclared (e.g. `$labels`). Throws `TEMPLATE_PARSE` with `template: NAME:LINE:COL: message`.
 */
export function parseTemplate(
  name: string,
  text: string,
  functions: ReadonlySet<string>,
  variables: readonly string[],
): TemplateNode[] {
  return new Parser(splitTemplate(text, name), name, functions, variables).parseAll();
}
