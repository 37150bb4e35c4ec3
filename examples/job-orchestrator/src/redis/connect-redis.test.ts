import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeRedisUrl } from './connect-redis.ts';

describe('describeRedisUrl', () => {
  it('keeps scheme, host, port and database, and drops the credentials', () => {
    expect(describeRedisUrl('redis://app:s3cret@cache.internal:6380/2')).toBe(
      'redis://cache.internal:6380/2',
    );
    expect(describeRedisUrl('rediss://:s3cret@cache.internal')).toBe('rediss://cache.internal');
    expect(describeRedisUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });

  it('never shows the password of any URL, parsable or not', () => {
    const secret = fc.string({ minLength: 6 }).filter((s) => /[A-Za-z0-9]{6}/.test(s));
    fc.assert(
      fc.property(fc.string(), secret, fc.string(), (user, password, rest) => {
        const url = `redis://${encodeURIComponent(user)}:${encodeURIComponent(password)}@host:6379${rest}`;
        const shown = describeRedisUrl(url);
        expect(shown).not.toContain(password);
        expect(shown).not.toContain(encodeURIComponent(password));
      }),
    );
  });
});
