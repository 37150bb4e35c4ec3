import type { Attributes, AttributeValue } from '@opentelemetry/api';
import type { IAttributesProcessor } from '@opentelemetry/sdk-metrics';

/**
 * One stateless (or, for value budgets, append-only) rewrite of an attribute set. Returns the very same
 * object when nothing changes, so callers can skip copies on the common path.
 */
export type AttributeTransform = (attributes: Attributes) => Attributes;

/** Wraps transforms applied in order as an sdk-metrics attributes processor. */
export function processorFromTransforms(transforms: readonly AttributeTransform[]): IAttributesProcessor {
  return {
    process(incoming) {
      let attributes = incoming;
      for (const transform of transforms) attributes = transform(attributes);
      return attributes;
    },
  };
}

/**
 * Sets `target[key]`, also for the key `__proto__`, which plain assignment would turn into a prototype
 * change (and so lose the attribute) instead of a property.
 */
export function setAttribute(target: Attributes, key: string, value: AttributeValue | undefined): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

/** A copy of `attributes` with `key` replaced by `value`, or removed when `value` is `undefined`. */
export function withAttribute(
  attributes: Attributes,
  key: string,
  value: AttributeValue | undefined,
): Attributes {
  const copy: Attributes = {};
  for (const k in attributes) {
    if (k === key) {
      if (value !== undefined) setAttribute(copy, k, value);
    } else {
      setAttribute(copy, k, attributes[k]);
    }
  }
  return copy;
}
