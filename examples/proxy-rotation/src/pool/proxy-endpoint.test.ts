import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseProxySpec, proxyAuthorization } from './proxy-endpoint.ts';
import { ProxyPoolError } from './proxy-pool-error.ts';

describe('parseProxySpec', () => {
  it('reads host, port and credentials, and names the proxy after its pool and position by default', () => {
    const proxy = parseProxySpec('http://al%40ice:p%3Ass@10.0.0.7:3128', 'residential-eu-west', 1);
    expect(proxy).toEqual({
      id: 'residential-eu-west-2',
      host: '10.0.0.7',
      port: 3128,
      credentials: { username: 'al@ice', password: 'p:ss' },
    });
    expect(proxyAuthorization(proxy)).toBe(`Basic ${Buffer.from('al@ice:p:ss').toString('base64')}`);
    expect(parseProxySpec({ id: 'eu-1', url: 'http://[::1]:8080' }, 'p', 0)).toEqual({
      id: 'eu-1',
      host: '::1',
      port: 8080,
    });
  });

  it('rejects what is not http://host:port with a code, never repeating the password', () => {
    for (const url of [
      'https://u:hunter2@h:1',
      'http://u:hunter2@h',
      'not a url hunter2',
      'socks5://u:hunter2@h:1',
    ]) {
      const error = (() => {
        try {
          parseProxySpec(url, 'p', 0);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(ProxyPoolError);
      expect((error as ProxyPoolError).code).toBe('PROXY_SPEC_INVALID');
      expect((error as Error).message).not.toContain('hunter2');
    }
  });

  it('either returns an endpoint or throws PROXY_SPEC_INVALID without the password, whatever the input', () => {
    const password = fc.stringMatching(/^[A-Za-z0-9]{6,12}$/);
    const proxyUrl = fc
      .tuple(
        fc.constantFrom('http', 'https', 'socks5', 'http:/', ''),
        fc.string({ maxLength: 8 }),
        password,
        fc.oneof(fc.domain(), fc.ipV4(), fc.string({ maxLength: 8 })),
        fc.integer({ min: -1, max: 70_000 }),
      )
      .map(([scheme, user, pass, host, port]) => ({
        url: `${scheme}://${user}:${pass}@${host}:${port}`,
        pass,
      }));
    fc.assert(
      fc.property(proxyUrl, fc.option(fc.string({ maxLength: 70 })), ({ url, pass }, id) => {
        // An id is meant to be printed; only the password must stay out of the message.
        fc.pre(id === null || !id.includes(pass));
        try {
          const proxy = parseProxySpec(id === null ? url : { url, id }, 'pool', 0);
          expect(proxy.port).toBeGreaterThan(0);
          expect(proxy.id).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]*$/);
        } catch (error) {
          expect(error).toBeInstanceOf(ProxyPoolError);
          expect((error as ProxyPoolError).code).toBe('PROXY_SPEC_INVALID');
          expect((error as Error).message).not.toContain(pass);
        }
      }),
    );
  });
});
