import type { z } from 'zod';

/** The parts of a zod 4 schema definition needed to walk down a config path. */
interface WalkableDef {
  readonly type: string;
  readonly shape?: Record<string, z.core.$ZodType>;
  readonly innerType?: z.core.$ZodType;
  readonly in?: z.core.$ZodType;
  readonly valueType?: z.core.$ZodType;
  readonly element?: z.core.$ZodType;
}

function defOf(schema: z.core.$ZodType): WalkableDef {
  return schema._zod.def as unknown as WalkableDef;
}

/** Strips wrappers (optional, default, prefault, the input side of a transform) down to the shaped schema. */
function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let current = schema;
  for (;;) {
    const def = defOf(current);
    const inner = def.type === 'pipe' ? def.in : def.innerType;
    if (inner === undefined) return current;
    current = inner;
  }
}

/**
 * The keys an object in `schema` accepts at `path`, for "unknown key" messages; empty when `path` does not
 * lead to an object.
 */
export function allowedKeysAt(schema: z.core.$ZodType, path: readonly PropertyKey[]): string[] {
  let current = unwrap(schema);
  for (const segment of path) {
    const def = defOf(current);
    const next =
      def.type === 'object'
        ? def.shape?.[String(segment)]
        : def.type === 'record'
          ? def.valueType
          : def.element;
    if (next === undefined) return [];
    current = unwrap(next);
  }
  const def = defOf(current);
  return def.type === 'object' && def.shape !== undefined ? Object.keys(def.shape) : [];
}

/**
 * The allowed key a mistyped `key` most likely meant: same letters in another case, or at most two edits
 * away (and fewer edits than half its length, so short keys do not match everything). `undefined` if none.
 */
export function closestKey(allowed: readonly string[], key: string): string | undefined {
  const lower = key.toLowerCase();
  const sameLetters = allowed.find((candidate) => candidate.toLowerCase() === lower);
  if (sameLetters !== undefined) return sameLetters;
  let best: string | undefined;
  let bestDistance = Math.min(2, Math.ceil(key.length / 2) - 1);
  for (const candidate of allowed) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance <= bestDistance) {
      best = candidate;
      bestDistance = distance - 1;
    }
  }
  return best;
}

/**
 * Optimal-string-alignment distance (Levenshtein plus swapping two neighbours, the commonest typo: `prot`).
 * Config keys are short, so the full table is cheap.
 */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      }
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}
