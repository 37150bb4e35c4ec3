/**
 * The lexer of the Go `text/template` subset alert templates use: the text split into literal text and
 * `{{ actions }}` (trim markers and comments applied), each action cut into tokens that keep their
 * offset and source text for Go-worded error messages.
 */
import { AlertEvaluatorError } from '../errors.ts';

/** A token, with its offset in the template text and its text as written (for error messages). */
export type Token = { at: number; raw: string } & (
  | { t: 'ident'; v: string }
  | { t: 'field'; v: string }
  | { t: 'var'; v: string }
  | { t: 'lit'; v: string | number | bigint | boolean | null }
  | { t: 'op'; v: '|' | '(' | ')' | ':=' | '=' | ',' }
  | { t: 'fieldchain'; v: string }
);

/** The tokens of one `{{ action }}`, with the action's line and column for parse errors. */
export interface RawAction {
  readonly tokens: Token[];
  readonly line: number;
  readonly col: number;
}

/** Template text split into literal text and actions. */
export type Piece = { kind: 'text'; text: string } | { kind: 'action'; action: RawAction };

/** Throws Go's parse error form, `template: NAME:LINE:COL: message`. */
export function fail(name: string, line: number, col: number, msg: string): never {
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

/**
 * Splits a template into text and lexed actions, applying trim markers (`{{-`, `-}}`) and dropping
 * comments.
 */
export function splitTemplate(src: string, name: string): Piece[] {
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
