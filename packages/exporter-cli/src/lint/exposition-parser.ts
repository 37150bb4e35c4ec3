/**
 * A tolerant parser for the Prometheus text exposition (0.0.4) and OpenMetrics 1.0 text, built for linting:
 * it keeps line numbers, never stops at the first bad line, and reports what it cannot read as problems.
 */

/** One sample line. */
export interface ExpositionSample {
  readonly name: string;
  /** Label pairs in the order written. */
  readonly labels: ReadonlyArray<readonly [string, string]>;
  readonly value: string;
  /** 1-based line number. */
  readonly line: number;
}

/** A metric family as declared by `# TYPE`/`# HELP`/`# UNIT` lines. */
export interface ExpositionFamily {
  readonly name: string;
  type?: string;
  help?: string;
  unit?: string;
  /** Line of the first metadata line, for findings about the family. */
  readonly line: number;
  typeDeclarations: number;
}

/** A line the parser could not read. */
export interface ExpositionProblem {
  readonly line: number;
  readonly message: string;
}

/** Everything read from one exposition. */
export interface ParsedExposition {
  readonly format: 'openmetrics' | 'text';
  readonly families: ReadonlyMap<string, ExpositionFamily>;
  readonly samples: readonly ExpositionSample[];
  readonly problems: readonly ExpositionProblem[];
}

const METADATA = /^#\s+(HELP|TYPE|UNIT)\s+(\S+)(?:\s+(.*))?$/;
const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const VALUE = /^(?:[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|Inf|inf|NaN|nan))$/;

/** Reads `{a="1",b="2"}` starting at `text[0] === '{'`; returns the pairs and the index after `}`. */
function readLabels(text: string): { labels: [string, string][]; end: number } | string {
  const labels: [string, string][] = [];
  let i = 1;
  for (;;) {
    while (text[i] === ' ') i++;
    if (text[i] === '}') return { labels, end: i + 1 };
    const name = LABEL_NAME.exec(text.slice(i));
    if (!name) return `invalid label name at column ${i + 1}`;
    i += name[0].length;
    while (text[i] === ' ') i++;
    if (text[i] !== '=') return `expected = after label ${name[0]}`;
    i++;
    while (text[i] === ' ') i++;
    if (text[i] !== '"') return `expected a quoted value for label ${name[0]}`;
    i++;
    let value = '';
    for (;;) {
      const c = text[i];
      if (c === undefined) return `unterminated value for label ${name[0]}`;
      if (c === '"') break;
      if (c === '\\') {
        const next = text[i + 1];
        value += next === 'n' ? '\n' : (next ?? '');
        i += 2;
      } else {
        value += c;
        i++;
      }
    }
    i++;
    labels.push([name[0], value]);
    while (text[i] === ' ') i++;
    if (text[i] === ',') i++;
    else if (text[i] !== '}') return `expected , or } after label ${name[0]}`;
  }
}

/**
 * Parses an exposition. `contentType` (when fetched over HTTP) or a `# EOF` line selects OpenMetrics.
 */
export function parseExposition(text: string, contentType = ''): ParsedExposition {
  const lines = text.split('\n');
  const openMetrics = contentType.includes('openmetrics') || lines.some((l) => l.trim() === '# EOF');
  const families = new Map<string, ExpositionFamily>();
  const samples: ExpositionSample[] = [];
  const problems: ExpositionProblem[] = [];
  const family = (name: string, line: number): ExpositionFamily => {
    let found = families.get(name);
    if (!found) {
      found = { name, line, typeDeclarations: 0 };
      families.set(name, found);
    }
    return found;
  };
  lines.forEach((raw, index) => {
    const line = index + 1;
    const text = raw.replace(/\r$/, '').trimStart();
    if (text === '' || text === '# EOF') return;
    if (text.startsWith('#')) {
      const meta = METADATA.exec(text);
      if (!meta) return; // a plain comment
      const [, kind, name, rest = ''] = meta;
      const target = family(name!, line);
      if (kind === 'TYPE') {
        target.type = rest.trim();
        target.typeDeclarations++;
      } else if (kind === 'HELP') target.help = rest;
      else target.unit = rest.trim();
      return;
    }
    const name = NAME.exec(text);
    if (!name) {
      problems.push({ line, message: `cannot read a metric name at the start of: ${text.slice(0, 40)}` });
      return;
    }
    let rest = text.slice(name[0].length);
    let labels: [string, string][] = [];
    if (rest.startsWith('{')) {
      const read = readLabels(rest);
      if (typeof read === 'string') {
        problems.push({ line, message: `${name[0]}: ${read}` });
        return;
      }
      labels = read.labels;
      rest = rest.slice(read.end);
    }
    // OpenMetrics exemplars follow ` # `; they do not change the sample.
    const fields = rest.split(' # ')[0]!.trim().split(/\s+/);
    const value = fields[0] ?? '';
    if (!VALUE.test(value)) {
      problems.push({ line, message: `${name[0]}: "${value}" is not a sample value` });
      return;
    }
    samples.push({ name: name[0], labels, value, line });
  });
  return { format: openMetrics ? 'openmetrics' : 'text', families, samples, problems };
}

const SUFFIXES = ['_total', '_created', '_count', '_sum', '_bucket', '_gcount', '_gsum', '_info'];

/** The family a sample belongs to: its own name, or its name without a type suffix (`_bucket`, `_total`...). */
export function familyOf(sampleName: string, families: ReadonlyMap<string, ExpositionFamily>): string {
  if (families.has(sampleName) && families.get(sampleName)!.type !== undefined) return sampleName;
  for (const suffix of SUFFIXES) {
    if (sampleName.endsWith(suffix)) {
      const base = sampleName.slice(0, -suffix.length);
      if (families.has(base)) return base;
    }
  }
  return sampleName;
}
