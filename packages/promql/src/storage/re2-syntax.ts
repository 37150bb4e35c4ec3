/**
 * RE2 syntax that JavaScript's RegExp spells differently or lacks, rewritten to the JavaScript form so that
 * label matchers written for Prometheus (which compiles them with Go's RE2) select the same series here.
 * Covered: `(?P<name>...)` groups, ASCII classes such as `[[:alpha:]]`, one-letter Unicode classes (`\pL`),
 * `\Q...\E` literal text, `\x{...}` code points and the `\A`/`\z` text anchors. Inline flag groups are handled by
 * `inlineFlagsAsGroups` in `label-matcher.ts`.
 */

/** RE2's ASCII classes, as the contents of a JavaScript (unicode mode) character class. */
const asciiClasses: Readonly<Record<string, string>> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-\\x60{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

/**
 * `text` with every character that has a meaning in a JavaScript regex escaped, only those: unicode-mode
 * regexes reject needless escapes such as `\-` outside a class.
 */
function escapeLiteral(text: string, inClass: boolean): string {
  return text.replace(inClass ? /[\\\]^-]/g : /[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

/** Rewrites the RE2-only constructs of `source` into JavaScript regex syntax; everything else is kept. */
export function re2ToJavaScript(source: string): string {
  if (!/\\[QpPAzx]|\(\?P<|\[:|\[\^?\]/.test(source)) return source;
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      const next = source[i + 1] ?? '';
      if (next === 'Q') {
        const end = source.indexOf('\\E', i + 2);
        const literal = source.slice(i + 2, end === -1 ? source.length : end);
        out += inClass ? escapeLiteral(literal, true) : `(?:${escapeLiteral(literal, false)})`;
        i = end === -1 ? source.length : end + 1;
      } else if (next === 'x' && source[i + 2] === '{') {
        // `\x{263a}`: a code point by its hex digits, `\u{263a}` in JavaScript.
        out += '\\u';
        i++;
      } else if ((next === 'p' || next === 'P') && /^[A-Za-z]$/.test(source[i + 2] ?? '')) {
        out += `\\${next}{${source[i + 2]}}`;
        i += 2;
      } else if (!inClass && next === 'A') {
        out += '(?<![\\s\\S])';
        i++;
      } else if (!inClass && next === 'z') {
        out += '(?![\\s\\S])';
        i++;
      } else {
        out += c + next;
        i++;
      }
    } else if (inClass) {
      const named = /^\[:([a-z]+):\]/.exec(source.slice(i, i + 12));
      const contents = named === null ? undefined : asciiClasses[named[1]!];
      if (contents !== undefined) {
        out += contents;
        i += named![0].length - 1;
      } else {
        if (c === ']') inClass = false;
        out += c;
      }
    } else if (c === '[') {
      inClass = true;
      out += c;
      if (source[i + 1] === '^') out += source[++i];
      // A `]` right after the opening bracket is a literal in RE2, and must be escaped in JavaScript.
      if (source[i + 1] === ']') {
        out += '\\]';
        i++;
      }
    } else if (c === '(' && source.startsWith('(?P<', i)) {
      out += '(?<';
      i += 3;
    } else {
      out += c;
    }
  }
  return out;
}
