/**
 * Go's `strconv.Quote`, which Prometheus uses wherever it prints a string: label matchers and string
 * literals in expressions, `%q` in warnings and templates.
 */

const ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
};

/** Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space. */
function isGoPrint(ch: string): boolean {
  return ch === ' ' || /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u.test(ch);
}

/**
 * Go's `strconv.Quote` (`%q`), or `strconv.QuoteToASCII` (`%+q`) when `ascii`. Bytes that were not valid
 * UTF-8, which the parser keeps as lone surrogates U+DC80..U+DCFF, print as `\xHH` as Go prints them.
 */
export function goQuote(s: string, ascii = false): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    const fixed = ESCAPES[ch];
    if (fixed !== undefined) out += fixed;
    else if (c < 0x80 ? c >= 0x20 && c !== 0x7f : !ascii && isGoPrint(ch)) out += ch;
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c >= 0xdc80 && c <= 0xdcff) out += `\\x${(c - 0xdc00).toString(16)}`;
    else if (c < 0x10000) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += `\\U${c.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}
