import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { headerProblem } from './http-header.ts';

describe('headerProblem', () => {
  it('accepts ordinary API-key headers, tabs included', () => {
    expect(headerProblem('x-api-key', 'abc123==')).toBeUndefined();
    expect(headerProblem('Authorization', 'Bearer a\tb')).toBeUndefined();
  });

  it('refuses names that are not tokens and values with CR, LF, NUL or beyond Latin-1, without quoting the value', () => {
    expect(headerProblem('x key', 'v')).toBe('header name "x key" is not an HTTP token');
    for (const value of ['a\r\nX-Injected: 1', 'a\nb', 'a\rb', 'a\u0000b', 'a\u007fb', 'a€b']) {
      const problem = headerProblem('x-api-key', value);
      expect(problem, JSON.stringify(value)).toBe(
        'header "x-api-key" has a character HTTP cannot carry in its value (CR, LF, another control character or one beyond Latin-1)',
      );
    }
  });

  it('agrees with what Node will send: accepted headers never make setHeader throw (property)', async () => {
    const { validateHeaderName, validateHeaderValue } = await import('node:http');
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 12 }),
        fc.string({ unit: 'binary', maxLength: 20 }),
        (name, value) => {
          if (headerProblem(name, value) !== undefined) return;
          expect(() => validateHeaderName(name)).not.toThrow();
          expect(() => validateHeaderValue(name, value)).not.toThrow();
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
