/**
 * A dedicated parser for `/api/v1/query_range` answers. `JSON.parse` turns every point into a `[t, "v"]`
 * array and a string: two allocations per point that the export throws away at once, and about half its CPU
 * (measured with bench/export.ts: `JSON.parse` and its garbage collection took ~50% of a CSV export). This
 * parser reads each series' `values` straight from the response text into two columns, timestamps in ms
 * and the value texts, so a point costs one short string and a slot in a number array.
 *
 * Everything around the points (the envelope, `metric` label sets, `warnings`, `stats`, unknown keys) is cut
 * out of the text and handed to `JSON.parse`, so those parts are exactly as strict as JSON. The answer is
 * the one `JSON.parse` would give, in columns; a body that is not JSON throws a `SyntaxError`.
 */

/** One series of a range-query answer, in columns. */
export interface MatrixSeries {
  /** The series' labels, `__name__` included when the expression keeps it. */
  readonly metric: Readonly<Record<string, string>>;
  /** Point timestamps in Unix ms (the source's float seconds, rounded to ms). */
  readonly timestampsMs: readonly number[];
  /** Point values as the source wrote them (`1.5`, `NaN`, `+Inf`), so nothing is lost to float formatting. */
  readonly values: readonly string[];
}

/** A parsed `query_range` answer: the API envelope with a columnar `data.result` when it is a matrix. */
export interface QueryRangeEnvelope {
  readonly status?: unknown;
  readonly data?: { readonly resultType?: unknown; readonly result: readonly MatrixSeries[] };
  readonly error?: unknown;
  readonly errorType?: unknown;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

/** Parses a `query_range` response body; see the file comment. */
export function parseQueryRangeBody(text: string): QueryRangeEnvelope {
  let pos = 0;

  const fail = (what: string): never => {
    throw new SyntaxError(`query_range answer: expected ${what} at position ${pos}`);
  };

  const skipSpace = (): void => {
    let c = text.charCodeAt(pos);
    // JSON whitespace: space, tab, LF, CR.
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = text.charCodeAt(++pos);
  };

  const expect = (code: number, what: string): void => {
    skipSpace();
    if (text.charCodeAt(pos) !== code) fail(what);
    pos++;
  };

  /** Reads a string; only one with escapes goes through `JSON.parse`. */
  const readString = (): string => {
    skipSpace();
    if (text.charCodeAt(pos) !== QUOTE) fail('a string');
    const start = pos + 1;
    let i = start;
    let escaped = false;
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        escaped = true;
        i += 2;
      } else if (c < 0x20 || Number.isNaN(c)) {
        pos = i;
        fail('the end of a string');
      } else i++;
    }
    pos = i + 1;
    return escaped ? (JSON.parse(text.slice(start - 1, pos)) as string) : text.slice(start, i);
  };

  /** Finds the end of any JSON value at `pos` (strings and nesting respected) and parses that slice. */
  const readAny = (): unknown => {
    skipSpace();
    const start = pos;
    let depth = 0;
    do {
      const c = text.charCodeAt(pos);
      if (Number.isNaN(c)) fail('a complete value');
      if (c === QUOTE) {
        readString();
        continue;
      }
      if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        if (depth === 0) break;
        depth--;
      } else if (c === COMMA && depth === 0) break;
      pos++;
    } while (depth > 0 || !isScalarEnd(text.charCodeAt(pos)));
    return JSON.parse(text.slice(start, pos));
  };

  /** Walks the members of an object, calling `member(key)` with `pos` at each value. */
  const readObject = (member: (key: string) => void): void => {
    expect(OPEN_BRACE, '{');
    skipSpace();
    if (text.charCodeAt(pos) === CLOSE_BRACE) {
      pos++;
      return;
    }
    for (;;) {
      const key = readString();
      expect(COLON, ':');
      member(key);
      skipSpace();
      const c = text.charCodeAt(pos++);
      if (c === CLOSE_BRACE) return;
      if (c !== COMMA) fail(', or }');
    }
  };

  /** Walks the elements of an array, calling `element()` with `pos` at each one. */
  const readArray = (element: () => void): void => {
    expect(OPEN_BRACKET, '[');
    skipSpace();
    if (text.charCodeAt(pos) === CLOSE_BRACKET) {
      pos++;
      return;
    }
    for (;;) {
      element();
      skipSpace();
      const c = text.charCodeAt(pos++);
      if (c === CLOSE_BRACKET) return;
      if (c !== COMMA) fail(', or ]');
    }
  };

  /** A point's timestamp in ms. Speed: whole seconds (the usual case) are read digit by digit, no slice. */
  const readTimestampMs = (): number => {
    skipSpace();
    const start = pos;
    let whole = 0;
    let c = text.charCodeAt(pos);
    while (c >= DIGIT_0 && c <= DIGIT_9) {
      whole = whole * 10 + (c - DIGIT_0);
      c = text.charCodeAt(++pos);
    }
    // A leading zero is valid JSON only as the number 0 itself; past 15 digits the sum above may round
    // differently from JSON.parse, so such numbers take the general path too.
    const digits = pos - start;
    const plainInteger = digits > 0 && digits <= 15 && !(text.charCodeAt(start) === DIGIT_0 && digits > 1);
    if (plainInteger && c !== 0x2e && c !== 0x65 && c !== 0x45) return whole * 1000;
    pos = start;
    const seconds = readAny();
    if (typeof seconds !== 'number') fail('a timestamp');
    return Math.round((seconds as number) * 1000);
  };

  const readSeries = (): MatrixSeries => {
    let metric: Record<string, string> = {};
    let timestampsMs: number[] = [];
    let values: string[] = [];
    readObject((key) => {
      if (key === 'values') {
        timestampsMs = [];
        values = [];
        readArray(() => {
          expect(OPEN_BRACKET, '[');
          timestampsMs.push(readTimestampMs());
          expect(COMMA, ',');
          values.push(readString());
          expect(CLOSE_BRACKET, ']');
        });
      } else if (key === 'metric') {
        metric = readAny() as Record<string, string>;
      } else {
        readAny();
      }
    });
    return { metric, timestampsMs, values };
  };

  const envelope: {
    status?: unknown;
    data?: { resultType?: unknown; result: MatrixSeries[] };
    error?: unknown;
    errorType?: unknown;
  } = {};
  readObject((key) => {
    if (key !== 'data') {
      const value = readAny();
      if (key === 'status' || key === 'error' || key === 'errorType') envelope[key] = value;
      return;
    }
    skipSpace();
    if (text.charCodeAt(pos) !== OPEN_BRACE) {
      readAny();
      return;
    }
    const data: { resultType?: unknown; result: MatrixSeries[] } = { result: [] };
    readObject((dataKey) => {
      if (dataKey === 'resultType') data.resultType = readAny();
      else if (dataKey === 'result') {
        skipSpace();
        // Only a matrix (an array of series objects) is read into columns; any other result shape is
        // checked as JSON and left out, since the caller rejects a resultType other than matrix.
        const matrix = text.charCodeAt(pos) === OPEN_BRACKET && firstElementIsObject(text, pos);
        if (!matrix) {
          readAny();
          data.result = [];
          return;
        }
        const result: MatrixSeries[] = [];
        readArray(() => {
          result.push(readSeries());
        });
        data.result = result;
      } else readAny();
    });
    envelope.data = data;
  });
  skipSpace();
  if (pos !== text.length) fail('the end of the answer');
  return envelope;
}

/** Whether `c` ends a value at depth 0 (a separator, a closing bracket, or the end of the text). */
function isScalarEnd(c: number): boolean {
  return (
    c === COMMA ||
    c === CLOSE_BRACE ||
    c === CLOSE_BRACKET ||
    c === 0x20 ||
    c === 0x0a ||
    c === 0x0d ||
    c === 0x09 ||
    Number.isNaN(c)
  );
}

/** Whether the array at `at` starts with an object (or is empty). */
function firstElementIsObject(text: string, at: number): boolean {
  let i = at + 1;
  let c = text.charCodeAt(i);
  while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = text.charCodeAt(++i);
  return c === OPEN_BRACE || c === CLOSE_BRACKET;
}
