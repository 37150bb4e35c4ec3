import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileNamePattern, mostSpecificMatch } from './name-pattern.ts';

describe('compileNamePattern', () => {
  it('matches whole names, with every * a wildcard', () => {
    const pattern = compileNamePattern('http.*.request.*');
    expect(pattern.matches('http.server.request.duration')).toBe(true);
    expect(pattern.matches('http.server.response.size')).toBe(false);
    expect(compileNamePattern('http.server').matches('http.server.x')).toBe(false);
    expect(compileNamePattern('a.b').matches('aXb')).toBe(false);
    expect(compileNamePattern('*').matches('')).toBe(true);
  });

  it('treats every other character literally', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 20 }).filter((s) => !s.includes('*')),
        (name) => {
          expect(compileNamePattern(name).matches(name)).toBe(true);
          expect(compileNamePattern(`${name}*`).matches(`${name}\nmore`)).toBe(true);
          expect(compileNamePattern(name).matches(`${name}x`)).toBe(false);
        },
      ),
    );
  });
});

describe('mostSpecificMatch', () => {
  it('prefers an exact name, then the wildcard with the most literal characters', () => {
    const entries = [
      [compileNamePattern('*'), 1],
      [compileNamePattern('http.*'), 2],
      [compileNamePattern('http.server.*'), 3],
      [compileNamePattern('http.server.active'), 4],
    ] as const;
    expect(mostSpecificMatch(entries, 'db.calls')).toBe(1);
    expect(mostSpecificMatch(entries, 'http.client.x')).toBe(2);
    expect(mostSpecificMatch(entries, 'http.server.x')).toBe(3);
    expect(mostSpecificMatch(entries, 'http.server.active')).toBe(4);
    expect(mostSpecificMatch(entries.slice(1), 'db.calls')).toBeUndefined();
  });
});
