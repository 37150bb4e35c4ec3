import type { IncomingMessage } from 'node:http';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { requestPath, templatedRequestPath } from './route-template.ts';

const segment = fc.stringMatching(/^[A-Za-z0-9._~-]{0,14}$/);
const path = fc.array(segment, { maxLength: 6 }).map((segments) => '/' + segments.join('/'));
const query = fc.stringMatching(/^[A-Za-z0-9=&%._~-]{1,20}$/);
const authority = fc.record({
  scheme: fc.constantFrom('http', 'https'),
  user: fc.option(fc.stringMatching(/^[a-z]{1,8}:[a-z0-9]{1,8}$/), { nil: undefined }),
  host: fc.stringMatching(/^[a-z]{1,10}\.example(:[0-9]{2,5})?$/),
});

function request(url: string): IncomingMessage {
  return { url } as IncomingMessage;
}

describe('templatedRequestPath', () => {
  it('never keeps the query string, fragment, scheme, host, credentials or an all-digit segment', () => {
    const target = fc.record({
      prefix: fc.option(authority, { nil: undefined }),
      path,
      id: fc.nat(),
      query: fc.option(query, { nil: undefined }),
      fragment: fc.option(query, { nil: undefined }),
    });
    fc.assert(
      fc.property(target, ({ prefix, path, id, query, fragment }) => {
        const origin = prefix
          ? `${prefix.scheme}://${prefix.user ? prefix.user + '@' : ''}${prefix.host}`
          : '';
        const raw = `${origin}${path}/${id}${query ? '?' + query : ''}${fragment ? '#' + fragment : ''}`;
        const route = templatedRequestPath(request(raw));
        expect(route?.startsWith('/')).toBe(true);
        expect(route).not.toMatch(/[?#@]|:\/\//);
        expect(route?.endsWith('/:id')).toBe(true);
        if (prefix) expect(route).not.toContain(prefix.host);
      }),
    );
  });

  it('prefers express originalUrl, which keeps the mount path that req.url loses inside routers', () => {
    const req = { url: '/7', originalUrl: '/api/users/7?x=1' } as IncomingMessage & { originalUrl: string };
    expect(templatedRequestPath(req)).toBe('/api/users/:id');
  });

  it('gives no route for targets without a path', () => {
    expect(templatedRequestPath(request('*'))).toBeUndefined();
    expect(templatedRequestPath(request('example.com:443'))).toBeUndefined();
    expect(templatedRequestPath({} as IncomingMessage)).toBeUndefined();
  });
});

describe('requestPath', () => {
  it('reads the path of absolute-form targets whose authority ends in a query or fragment as /', () => {
    expect(requestPath('http://h.example?x=/secret')).toBe('/');
    expect(requestPath('http://h.example#/frag')).toBe('/');
    expect(requestPath('http://u:p@h.example')).toBe('/');
    expect(requestPath('http://h.example/a/b?c')).toBe('/a/b?c');
  });
});
