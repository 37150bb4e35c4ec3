import type { IAttributesProcessor } from '@opentelemetry/sdk-metrics';
import {
  type AttributeTransform,
  processorFromTransforms,
  withAttribute,
} from '../pipeline/attribute-transform.ts';

/** The placeholder that replaces an identifier segment unless configured otherwise. */
export const DEFAULT_PATH_PLACEHOLDER = ':id';

/** Attribute keys templated by default: the ones that carry a raw path or URL. */
export const DEFAULT_TEMPLATED_KEYS: readonly string[] = ['url.path', 'url.full', 'http.target', 'http.url'];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX = /^[0-9a-f]{8,}$/i;
const TOKEN = /^[A-Za-z0-9_~.-]{12,}$/;
const HAS_DIGIT = /[0-9]/;
const HAS_TWO_DIGITS = /[0-9].*[0-9]/;
const HAS_LETTER = /[A-Za-z]/;

function isDigits(segment: string): boolean {
  if (segment.length === 0) return false;
  for (let i = 0; i < segment.length; i++) {
    const code = segment.charCodeAt(i);
    if (code < 48 || code > 57) return false;
  }
  return true;
}

/**
 * Whether a path segment is an identifier rather than a route word: all digits, a UUID, hex of 8 or more
 * characters with a digit (so words like `deadbeef` or `facade` stay), or a long (12+) token mixing letters
 * and at least two digits (`ORD-2024-000123`, base64 ids; `oauth2callback` stays).
 */
export function isIdentifierSegment(segment: string): boolean {
  if (isDigits(segment)) return true;
  if (segment.length < 8) return false;
  if (UUID.test(segment)) return true;
  if (HEX.test(segment) && HAS_DIGIT.test(segment)) return true;
  return TOKEN.test(segment) && HAS_TWO_DIGITS.test(segment) && HAS_LETTER.test(segment);
}

/**
 * Turns a concrete path into a route-like template, for when no framework route is known:
 * `/users/123/orders/9f1c2e7a` -> `/users/:id/orders/:id`. The query string and fragment are dropped; for a
 * full URL the scheme and host are kept as they are.
 *
 * @example
 * ```ts
 * templatePath('/api/v1/items/550e8400-e29b-41d4-a716-446655440000?x=1'); // '/api/v1/items/:id'
 * ```
 */
export function templatePath(path: string, placeholder: string = DEFAULT_PATH_PLACEHOLDER): string {
  let end = path.length;
  const query = path.indexOf('?');
  if (query !== -1) end = query;
  const fragment = path.indexOf('#');
  if (fragment !== -1 && fragment < end) end = fragment;
  let start = 0;
  const scheme = path.indexOf('://');
  if (scheme !== -1 && scheme < end) {
    const slash = path.indexOf('/', scheme + 3);
    start = slash === -1 || slash > end ? end : slash;
  }
  const prefix = path.slice(0, start);
  const segments = path.slice(start, end).split('/');
  for (let i = 0; i < segments.length; i++) {
    if (isIdentifierSegment(segments[i]!)) segments[i] = placeholder;
  }
  return prefix + segments.join('/');
}

/** Path templating settings. */
export interface PathTemplatingOptions {
  /** Keys whose string values are templated; default {@link DEFAULT_TEMPLATED_KEYS}. */
  readonly keys?: readonly string[];
  /** What replaces an identifier segment; default `:id`. */
  readonly placeholder?: string;
}

/** Path templating as a transform. */
export function createPathTemplateTransform(options: PathTemplatingOptions = {}): AttributeTransform {
  const keys = options.keys ?? DEFAULT_TEMPLATED_KEYS;
  const placeholder = options.placeholder ?? DEFAULT_PATH_PLACEHOLDER;
  return (attributes) => {
    let out = attributes;
    for (const key of keys) {
      const value = out[key];
      if (typeof value !== 'string') continue;
      const templated = templatePath(value, placeholder);
      if (templated !== value) out = withAttribute(out, key, templated);
    }
    return out;
  };
}

/**
 * An attributes processor that templates raw paths in the given keys.
 *
 * @example
 * ```ts
 * new MeterProvider({ views: [{ instrumentName: 'http.client.request.duration',
 *   attributesProcessors: [createPathTemplateProcessor({ keys: ['url.path'] })] }] });
 * ```
 */
export function createPathTemplateProcessor(options: PathTemplatingOptions = {}): IAttributesProcessor {
  return processorFromTransforms([createPathTemplateTransform(options)]);
}
