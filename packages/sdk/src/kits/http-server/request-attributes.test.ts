import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_KNOWN_METHODS,
  errorType,
  normalizeMethod,
  OTHER_METHOD,
  protocolVersion,
} from './request-attributes.ts';

const known = new Set(DEFAULT_KNOWN_METHODS);

describe('normalizeMethod', () => {
  it('keeps every known method and turns anything else into _OTHER, so the values stay a closed set', () => {
    const method = fc.oneof(fc.constantFrom(...DEFAULT_KNOWN_METHODS), fc.string({ maxLength: 12 }));
    fc.assert(
      fc.property(method, (value) => {
        const normalized = normalizeMethod(value, known);
        expect(normalized === value ? known.has(value) : normalized === OTHER_METHOD).toBe(true);
        expect([...DEFAULT_KNOWN_METHODS, OTHER_METHOD]).toContain(normalized);
      }),
    );
  });

  it('treats method names as case-sensitive, as the conventions require', () => {
    expect(normalizeMethod('GET', known)).toBe('GET');
    expect(normalizeMethod('get', known)).toBe('_OTHER');
    expect(normalizeMethod('PROPFIND', known)).toBe('_OTHER');
    expect(normalizeMethod(undefined, known)).toBe('_OTHER');
  });
});

describe('protocolVersion', () => {
  it('spells HTTP/2 as the conventions do and keeps HTTP/1.x versions', () => {
    expect(['1.0', '1.1', '2.0'].map(protocolVersion)).toEqual(['1.0', '1.1', '2']);
  });
});

describe('errorType', () => {
  it('names 5xx responses by their status, aborted requests as aborted, and leaves successes and 4xx bare', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 599 }), fc.boolean(), (status, finished) => {
        const type = errorType(finished, status);
        if (!finished) expect(type).toBe('aborted');
        else expect(type).toBe(status >= 500 ? String(status) : undefined);
      }),
    );
    expect(errorType(false, undefined)).toBe('aborted');
  });
});
