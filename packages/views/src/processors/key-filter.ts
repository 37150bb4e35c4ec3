import type { Attributes } from '@opentelemetry/api';
import type { IAttributesProcessor } from '@opentelemetry/sdk-metrics';
import {
  type AttributeTransform,
  processorFromTransforms,
  setAttribute,
} from '../pipeline/attribute-transform.ts';

/** Which attribute keys an instrument keeps. */
export interface KeyFilterOptions {
  /** When given, only these keys are kept. */
  readonly allow?: Iterable<string>;
  /** These keys are always removed (applied after `allow`). */
  readonly deny?: Iterable<string>;
}

/** The key filter as a transform, or `undefined` when it would keep everything. */
export function createKeyFilterTransform(options: KeyFilterOptions): AttributeTransform | undefined {
  const allow = options.allow === undefined ? undefined : new Set(options.allow);
  const deny = new Set(options.deny ?? []);
  if (allow === undefined && deny.size === 0) return undefined;
  const keeps = (key: string) => (allow === undefined || allow.has(key)) && !deny.has(key);
  return (attributes) => {
    // measured: most sets need no change; checking first avoids a copy per measurement
    let clean = true;
    for (const key in attributes) {
      if (!keeps(key)) {
        clean = false;
        break;
      }
    }
    if (clean) return attributes;
    const kept: Attributes = {};
    for (const key in attributes) if (keeps(key)) setAttribute(kept, key, attributes[key]);
    return kept;
  };
}

/**
 * An attributes processor keeping only allowed keys and dropping denied ones.
 *
 * @example
 * ```ts
 * new MeterProvider({ views: [{ instrumentName: 'http.server.request.duration',
 *   attributesProcessors: [createKeyFilterProcessor({ deny: ['url.full'] })] }] });
 * ```
 */
export function createKeyFilterProcessor(options: KeyFilterOptions): IAttributesProcessor {
  const transform = createKeyFilterTransform(options);
  return processorFromTransforms(transform === undefined ? [] : [transform]);
}
