/**
 * Parser for the Go `text/template` subset Prometheus alert templates use: text, `{{ pipeline }}`,
 * trim markers `{{-`/`-}}`, comments, variables (`:=`/`=`), `if/else if/else/end`, `range` (with
 * `$i, $e :=`), `with`, `break`/`continue`, pipelines and parenthesised pipelines. As in Go, unknown
 * functions and undefined variables are parse errors, so rule validation catches them at load time.
 */
import { AlertEvaluatorError } from '../errors.ts';
import type { TemplateArg, TemplateNode, TemplatePipe } from './template-ast.ts';

/** A token, with its offset in the template text and its text as written (for error messages). */
type Token = { at: number; raw: string } & (
  | { t: 'ident'; v: string }
  | { t: 'field'; v: string }
  | { t: 'var'; v: string }
  | { t: 'lit'; v: string | number | bigint | boolean | null }
  | { t: 'op'; v: '|' | '(' | ')' | ':=' | '=' | ',' }
  | { t: 'fieldchain'; v: string }
);

interface RawAction {
  readonly tokens: Token[];
  readonly line: number;
  readonly col: number;
}

type Piece = { kind: 'text'; text: string } | { kind: 'action'; action: RawAction };

function fail(name: string, line: number, col: number, msg: string): never {
  throw new AlertEvaluatorError('TEMPLATE_PARSE', `template: ${name}:${line}:${col}: ${msg}`);
}

function unquote(raw: string, name: string, line: number, col: number): string {
  try {
    // Go's interpreted string escapes are a superset-compatible match for JSON's common ones.
    return JSON.parse(raw.replace(/\\x([0-9a-fA-F]{2})/g, '\\u00$1').replace(/\\a/g, '\\u0007')) as string;
  } catch {
    return fail(name, line, col, `unquote: invalid syntax ${raw}`);
  }
}

function lexAction(src: string, base: number, name: string, line: number, col: number): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const at = () => base + i;
  const isIdentChar = (c: string) => /[A-Za-z0-9_]/.test(c);
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '|' || c === '(' || c === ')' || c === ',') {
      tokens.push({ t: 'op', v: c, at: at(), raw: c });
      i++;
      continue;
    }
    if (c === ':' && src[i + 1] === '=') {
      tokens.push({ t: 'op', v: ':=', at: at(), raw: ':=' });
      i += 2;
      continue;
    }
    if (c === '=') {
      tokens.push({ t: 'op', v: '=', at: at(), raw: '=' });
      i++;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      while (j < src.length && src[j] !== '"') j += src[j] === '\\' ? 2 : 1;
      if (j >= src.length) fail(name, line, col, 'unterminated quoted string');
      const raw = src.slice(i, j + 1);
      tokens.push({ t: 'lit', v: unquote(raw, name, line, col), at: at(), raw });
      i = j + 1;
      continue;
    }
    if (c === '`') {
      const j = src.indexOf('`', i + 1);
      if (j < 0) fail(name, line, col, 'unterminated raw quoted string');
      tokens.push({ t: 'lit', v: src.slice(i + 1, j), at: at(), raw: src.slice(i, j + 1) });
      i = j + 1;
      continue;
    }
    if (c === '$') {
      let j = i + 1;
      while (j < src.length && isIdentChar(src[j]!)) j++;
      tokens.push({ t: 'var', v: src.slice(i, j), at: at(), raw: src.slice(i, j) });
      i = j;
      continue;
    }
    if (c === '.' && !/[0-9]/.test(src[i + 1] ?? '')) {
      let j = i + 1;
      while (j < src.length && isIdentChar(src[j]!)) j++;
      const prev = tokens[tokens.length - 1];
      // `.x` right after an operand (no space) continues that operand's field chain.
      const attached = i > 0 && !/\s/.test(src[i - 1]!) && prev !== undefined && prev.t !== 'op';
      const attachedToParen = i > 0 && src[i - 1] === ')';
      tokens.push({
        t: attached || attachedToParen ? 'fieldchain' : 'field',
        v: src.slice(i + 1, j),
        at: at(),
        raw: src.slice(i, j),
      });
      i = j;
      continue;
    }
    if (/[0-9+\-.]/.test(c)) {
      const m = /^[+-]?(0[xX][0-9a-fA-F_]+|(\d[\d_]*)?(\.\d*)?([eE][+-]?\d+)?)/.exec(src.slice(i));
      const text = m?.[0] ?? '';
      if (text === '' || text === '+' || text === '-')
        fail(name, line, col, `bad character ${JSON.stringify(c)}`);
      const isFloat = /[.eE]/.test(text) && !/^[+-]?0[xX]/.test(text);
      const clean = text.replace(/_/g, '');
      tokens.push({ t: 'lit', v: isFloat ? Number(clean) : BigInt(clean), at: at(), raw: text });
      i += text.length;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      let j = i;
      while (j < src.length && isIdentChar(src[j]!)) j++;
      const word = src.slice(i, j);
      const where = { at: at(), raw: word };
      if (word === 'true' || word === 'false') tokens.push({ t: 'lit', v: word === 'true', ...where });
      else if (word === 'nil') tokens.push({ t: 'lit', v: null, ...where });
      else tokens.push({ t: 'ident', v: word, ...where });
      i = j;
      continue;
    }
    fail(name, line, col, `unexpected ${JSON.stringify(c)} in command`);
  }
  return tokens;
}

function split(src: string, name: string): Piece[] {
  const pieces: Piece[] = [];
  let i = 0;
  let trimNext = false;
  while (i <= src.length) {
    const open = src.indexOf('{{', i);
    let text = src.slice(i, open < 0 ? src.length : open);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (open < 0) {
      if (text !== '') pieces.push({ kind: 'text', text });
      break;
    }
    let start = open + 2;
    if (src[start] === '-' && /\s/.test(src[start + 1] ?? '')) {
      text = text.replace(/\s+$/, '');
      start += 2;
    }
    if (text !== '') pieces.push({ kind: 'text', text });
    const before = src.slice(0, open);
    const line = before.split('\n').length;
    const col = open - before.lastIndexOf('\n');
    // Find the closing delimiter outside quoted strings.
    let j = start;
    let close = -1;
    while (j < src.length) {
      const c = src[j]!;
      if (c === '"') {
        j++;
        while (j < src.length && src[j] !== '"') j += src[j] === '\\' ? 2 : 1;
        j++;
        continue;
      }
      if (c === '`') {
        const e = src.indexOf('`', j + 1);
        j = e < 0 ? src.length : e + 1;
        continue;
      }
      if (c === '}' && src[j + 1] === '}') {
        close = j;
        break;
      }
      j++;
    }
    if (close < 0) fail(name, line, col, 'unclosed action');
    let inner = src.slice(start, close);
    trimNext = false;
    if (/\s-$/.test(inner)) {
      inner = inner.slice(0, -2);
      trimNext = true;
    }
    const trimmed = inner.trim();
    if (trimmed.startsWith('/*')) {
      if (!trimmed.endsWith('*/')) fail(name, line, col, 'unclosed comment');
    } else {
      pieces.push({
        kind: 'action',
        action: { tokens: lexAction(inner, start, name, line, col), line, col },
      });
    }
    i = close + 2;
  }
  return pieces;
}

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
  return new Parser(split(text, name), name, functions, variables).parseAll();
}
