import { describe, expect, it } from 'vitest';
import { createBasicAuthCheck } from './basic-auth.ts';

const header = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('createBasicAuthCheck', () => {
  const check = createBasicAuthCheck({ username: 'scraper', password: 's3cret-pass:with-colon' });

  it('accepts the right credentials, including a password that contains a colon', () => {
    expect(check(header('scraper', 's3cret-pass:with-colon'))).toBe(true);
    expect(check(`basic  ${Buffer.from('scraper:s3cret-pass:with-colon').toString('base64')}`)).toBe(true);
  });

  it('rejects a wrong user, a wrong password, and missing or malformed headers', () => {
    expect(check(header('scrapers', 's3cret-pass:with-colon'))).toBe(false);
    expect(check(header('scraper', 's3cret-pass'))).toBe(false);
    expect(check(undefined)).toBe(false);
    expect(check('Bearer abc')).toBe(false);
    expect(check(`Basic ${Buffer.from('no-colon').toString('base64')}`)).toBe(false);
  });
});
