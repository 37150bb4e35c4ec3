/**
 * The bracket state Prometheus's Go lexer tracks (open parentheses, an open `[`, an open `{`) at a point of
 * the query text. Its lexer reports unbalanced brackets itself, before the grammar sees a token, so the
 * messages for them ("unclosed left parenthesis", "unexpected right bracket ']'") depend on this state
 * rather than on where lezer's grammar stopped.
 */

/** Brackets open at a point of the text, as Go's lexer counts them. */
export interface BracketState {
  readonly parenDepth: number;
  readonly bracketOpen: boolean;
  readonly braceOpen: boolean;
  /** Start of a quoted string that began before the point and never ends, if any. */
  readonly unterminatedString: number | undefined;
}

/** The offset after the string literal starting at `start`, or `undefined` when it never ends. */
function stringEnd(text: string, start: number): number | undefined {
  const quote = text[start]!;
  let j = start + 1;
  while (j < text.length && text[j] !== quote) {
    if (quote !== '`' && text[j] === '\n') return undefined;
    j += quote !== '`' && text[j] === '\\' ? 2 : 1;
  }
  return j < text.length ? j + 1 : undefined;
}

/** The bracket state right before offset `end` of `text`; strings and `#` comments are skipped. */
export function bracketStateAt(text: string, end: number): BracketState {
  let parenDepth = 0;
  let bracketOpen = false;
  let braceOpen = false;
  for (let i = 0; i < end; i++) {
    const c = text[i]!;
    if (c === '"' || c === "'" || c === '`') {
      const after = stringEnd(text, i);
      if (after === undefined) return { parenDepth, bracketOpen, braceOpen, unterminatedString: i };
      i = after - 1;
    } else if (c === '#' && !braceOpen) {
      while (i + 1 < text.length && text[i + 1] !== '\n') i++;
    } else if (braceOpen) {
      if (c === '}') braceOpen = false;
    } else if (c === '(') parenDepth++;
    else if (c === ')') parenDepth--;
    else if (c === '[') bracketOpen = true;
    else if (c === ']') bracketOpen = false;
    else if (c === '{') braceOpen = true;
  }
  return { parenDepth, bracketOpen, braceOpen, unterminatedString: undefined };
}

/** Characters Go's lexer reads inside braces: names, strings, matchers, commas, spaces, the closing brace. */
const insideBraces = /^[\p{L}\p{N}_:.,=!~"'`}\s]/u;

/**
 * The lexer error Go's lexer raises at offset `at` of `text` (where lezer's grammar stopped), or
 * `undefined` when the lexer accepts the character there. `at === text.length` means end of input.
 * @returns the message and where Prometheus points at.
 */
export function lexerErrorAt(text: string, at: number): { message: string; offset: number } | undefined {
  const state = bracketStateAt(text, at);
  const stringStart =
    state.unterminatedString ??
    (/["'`]/.test(text[at] ?? '') && stringEnd(text, at) === undefined ? at : undefined);
  if (stringStart !== undefined) {
    const raw = text[stringStart] === '`';
    return { message: raw ? 'unterminated raw string' : 'unterminated quoted string', offset: stringStart };
  }
  if (at >= text.length) {
    if (state.parenDepth > 0) return { message: 'unclosed left parenthesis', offset: at };
    if (state.bracketOpen) return { message: 'unclosed left bracket', offset: at };
    if (state.braceOpen) return { message: 'unexpected end of input inside braces', offset: at };
    return undefined;
  }
  const c = text[at]!;
  if (state.braceOpen) {
    // `~` only ever follows `=` or `!`, and `!` only comes before `=` or `~`.
    if (c === '!' && !/[=~]/.test(text[at + 1] ?? '')) {
      return { message: `unexpected character after '!' inside braces: '${text[at + 1] ?? ''}'`, offset: at };
    }
    const strayTilde = c === '~' && !/[=!]/.test(text[at - 1] ?? '');
    return insideBraces.test(c) && !strayTilde
      ? undefined
      : { message: `unexpected character inside braces: '${c}'`, offset: at };
  }
  // Go's lexer emits ')' before it checks the depth, so it points right after the parenthesis.
  if (c === ')' && state.parenDepth <= 0) {
    return { message: "unexpected right parenthesis ')'", offset: at + 1 };
  }
  if (c === ']' && !state.bracketOpen) return { message: "unexpected right bracket ']'", offset: at };
  if (c === '}') return { message: "unexpected character: '}'", offset: at };
  const next = text[at + 1] ?? '';
  if (c === '=' && next === '~') return { message: "unexpected character after '=': '~'", offset: at };
  if (c === '!' && next !== '=') return { message: `unexpected character after '!': '${next}'`, offset: at };
  return undefined;
}
