/**
 * Nexus's label sanitization (seed 004 T006, data model "Label Sanitization"): backend and model names
 * become label values of the `nexus_*` metrics only after every character outside `[A-Za-z0-9_]` is
 * replaced with `_` and a leading digit gets a `_` in front, so the value also matches the Prometheus
 * name regex `[a-zA-Z_][a-zA-Z0-9_]*` the spec checks (`llama3:70b` → `llama3_70b`, `4o` → `_4o`).
 */

const INVALID = /[^A-Za-z0-9_]/gu;

/**
 * Sanitizes one name. The spec's Rust version keeps Unicode letters (`char::is_alphanumeric`); this one
 * keeps ASCII only, because the Prometheus regex it promises is ASCII. Each code point outside the set
 * becomes one `_` (an emoji is one `_`, not two); the empty name becomes `_`.
 *
 * @example
 * ```ts
 * sanitizeLabel('ollama-local:11434'); // 'ollama_local_11434'
 * sanitizeLabel('3b-instruct'); // '_3b_instruct'
 * ```
 */
export function sanitizeLabel(name: string): string {
  const replaced = name.replace(INVALID, '_');
  if (replaced === '') return '_';
  const first = replaced.charCodeAt(0);
  return first >= 48 && first <= 57 ? `_${replaced}` : replaced;
}

/**
 * {@link sanitizeLabel} with a cache (the spec's `label_cache`): the names come from the routing table, so
 * the cache is bounded by it; recording then costs one Map lookup instead of a regex replace.
 */
export class LabelCache {
  readonly #cache = new Map<string, string>();

  /** The sanitized form of `name`. */
  get(name: string): string {
    let label = this.#cache.get(name);
    if (label === undefined) {
      label = sanitizeLabel(name);
      this.#cache.set(name, label);
    }
    return label;
  }
}
