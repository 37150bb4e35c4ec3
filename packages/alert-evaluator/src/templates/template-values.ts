/**
 * Values that templates see besides Go's basic types: structs whose missing fields are errors (unlike
 * label maps, where a missing key prints `<no value>`), and query-result samples.
 */

/** A Go struct value: field access on a missing field is an execution error. */
export class TemplateStruct {
  readonly typeName: string;
  readonly fields: Readonly<Record<string, unknown>>;

  constructor(typeName: string, fields: Readonly<Record<string, unknown>>) {
    this.typeName = typeName;
    this.fields = fields;
  }
}

/** One element of a `query` result, as Prometheus's `sample{Labels, Value}`. */
export function templateSample(labels: Readonly<Record<string, string>>, value: number): TemplateStruct {
  return new TemplateStruct('*template.sample', { Labels: labels, Value: value });
}

/** Go's truthiness for `if`, `with`, `and`, `or`, `not`. */
export function isTrue(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'bigint') return v !== 0n;
  if (typeof v === 'string') return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof TemplateStruct) return true;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}
