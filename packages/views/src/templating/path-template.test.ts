import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isIdentifierSegment, templatePath } from './path-template.ts';

describe('templatePath', () => {
  it.each([
    ['/users/123/orders/9f1c2e7ab4', '/users/:id/orders/:id'],
    ['/items/550e8400-e29b-41d4-a716-446655440000', '/items/:id'],
    ['/orders/ORD-2024-000123/lines', '/orders/:id/lines'],
    ['/files/aGVsbG8gd29ybGQ2MDE5/raw', '/files/:id/raw'],
    ['/api/v1/health', '/api/v1/health'],
    ['/users/42?expand=orders#top', '/users/:id'],
    ['https://api.example.com/users/42', 'https://api.example.com/users/:id'],
    ['https://api.example.com', 'https://api.example.com'],
    ['/', '/'],
    ['', ''],
    ['//double//7', '//double//:id'],
    ['/oauth2callback/deadbeef/facade', '/oauth2callback/deadbeef/facade'],
  ])('templates %j as %j', (input, output) => {
    expect(templatePath(input)).toBe(output);
  });

  it('leaves adversarial non-identifier segments alone', () => {
    expect(templatePath('/naïve/ünïcödé/😀')).toBe('/naïve/ünïcödé/😀');
    expect(templatePath('/a"b/c\nd/{e}')).toBe('/a"b/c\nd/{e}');
    expect(templatePath('/a"b/12\n/{99}')).toBe('/a"b/12\n/{99}');
  });

  it('handles very long paths in linear time', () => {
    const long = '/x/1'.repeat(50_000);
    const start = performance.now();
    const out = templatePath(long);
    expect(performance.now() - start).toBeLessThan(1000);
    expect(out).toBe('/x/:id'.repeat(50_000));
  });

  it('uses the configured placeholder', () => {
    expect(templatePath('/users/7', '{id}')).toBe('/users/{id}');
  });

  it('keeps the segment count, removes every numeric segment, and is idempotent', () => {
    const segment = fc.oneof(
      fc.stringMatching(/^[a-z]{1,8}$/),
      fc.nat().map(String),
      fc.uuid(),
      fc.stringMatching(/^[0-9a-f]{8,32}$/),
    );
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 8 }), (segments) => {
        const path = `/${segments.join('/')}`;
        const out = templatePath(path);
        const parts = out.split('/');
        expect(parts).toHaveLength(path.split('/').length);
        for (const part of parts) expect(/^\d+$/.test(part)).toBe(false);
        expect(templatePath(out)).toBe(out);
      }),
    );
  });

  it('never treats a plain word as an identifier', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-zA-Z_-]{0,30}$/), (word) => {
        expect(isIdentifierSegment(word)).toBe(false);
      }),
    );
  });
});
