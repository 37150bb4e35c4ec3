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
